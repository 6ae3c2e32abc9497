public enum SkiffStoragePlaceholder {}
