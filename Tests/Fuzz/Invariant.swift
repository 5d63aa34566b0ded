/// Stops the run when a property of the parsed value does not hold. libFuzzer reports the trap
/// as a crash and saves the input, so a wrong answer is as loud as a memory error.
func require(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID,
    line: UInt = #line
) {
    if !condition() { fatalError("invariant: \(message())", file: file, line: line) }
}
