// The core's values (Config, Policy, DeviceName, NameRecord …) are the vocabulary of this
// module's API: a user of DANESync — the `danesync` command line — gets them with it.
@_exported import DANECore
