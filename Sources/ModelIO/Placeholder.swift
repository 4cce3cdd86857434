public enum ModelIOPlaceholder {}
