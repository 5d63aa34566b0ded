import ArgumentParser

struct Lookup: AsyncParsableCommand {
    @OptionGroup var options: ConfigOption
    func run() async throws {
        printError("danesync: Lookup is not implemented yet")
        throw ExitCode(2)
    }
}
