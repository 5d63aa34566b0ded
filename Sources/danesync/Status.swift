import ArgumentParser

struct Status: AsyncParsableCommand {
    @OptionGroup var options: ConfigOption
    func run() async throws {
        printError("danesync: Status is not implemented yet")
        throw ExitCode(2)
    }
}
