print("generator: not yet written")
