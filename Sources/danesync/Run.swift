import ArgumentParser

struct Run: AsyncParsableCommand {
    @OptionGroup var options: ConfigOption
    func run() async throws {
        printError("danesync: Run is not implemented yet")
        throw ExitCode(2)
    }
}
