/// The version of this build: `danesync --version`, `danesync_build_info`, and the Debian
/// package's version (scripts/package reads it here).
public enum DanesyncVersion {
    public static let text = "0.5.0"
}
