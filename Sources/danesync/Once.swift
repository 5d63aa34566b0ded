import ArgumentParser

struct Once: AsyncParsableCommand {
    @OptionGroup var options: ConfigOption
    func run() async throws {
        printError("danesync: Once is not implemented yet")
        throw ExitCode(2)
    }
}
