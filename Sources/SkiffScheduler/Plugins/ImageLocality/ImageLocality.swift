import SkiffAPIMachinery
import SkiffAPI
/// Prefers nodes that already have the pod's images, weighted by image size and how widely the image is spread
/// (↔ `imagelocality.ImageLocality`; score weight 1).
public struct ImageLocality: ScorePlugin {
    public var name: String { PluginNames.imageLocality }

    static let mb: Int64 = 1024 * 1024
    /// Images smaller than this count as nothing (↔ `minThreshold`).
    static let minThreshold: Int64 = 23 * mb
    /// The most a container's image counts (↔ `maxContainerThreshold`).
    static let maxContainerThreshold: Int64 = 1000 * mb

    let handle: (any FrameworkHandle)?

    /// Makes the plugin; `handle` gives the number of nodes.
    public init(handle: (any FrameworkHandle)?) { self.handle = handle }

    public static let factory: PluginFactory = { _, handle in ImageLocality(handle: handle) }

    public func score(_ pod: PodInfo, on node: NodeInfo, state: CycleState) -> (Int64, PluginStatus) {
        // A node without images scores the same in any cluster: the node count (read through the handle, which
        // costs more than the rest of the score) is only needed for one with images.
        let totalNodes = node.imageStates.isEmpty ? 1 : max(self.handle?.snapshot.count ?? 1, 1)
        return (Self.score(pod, on: node, totalNodes: totalNodes), .success)
    }

    /// The score of `node` in a cluster of `totalNodes`.
    static func score(_ pod: PodInfo, on node: NodeInfo, totalNodes: Int) -> Int64 {
        var sum: Int64 = 0
        if !node.imageStates.isEmpty {
            for image in pod.images {
                if let state = node.imageStates[image] {
                    let spread = Double(state.numNodes) / Double(totalNodes)
                    sum += Int64(Double(state.size) * spread)
                }
            }
        }
        let containers = Int64(pod.containerCount)
        let maxThreshold = Self.maxContainerThreshold * containers
        if sum < Self.minThreshold {
            sum = Self.minThreshold
        } else if sum > maxThreshold {
            sum = maxThreshold
        }
        guard maxThreshold > Self.minThreshold else { return 0 }
        return maxNodeScore * (sum - Self.minThreshold) / (maxThreshold - Self.minThreshold)
    }
}
