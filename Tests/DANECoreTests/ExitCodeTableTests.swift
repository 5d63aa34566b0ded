import DANECore
import DANETestSupport
import Foundation
import Testing

/// design.md "Command line": the `daneverify` exit codes have one wording,
/// ``VerifyVerdict/Code/summary``. `daneverify --help` prints its table from it; the admin
/// documentation repeats it and must not drift.
struct ExitCodeTableTests {
    /// `| <code> | <meaning> |` rows of a Markdown file, backticks removed.
    static func rows(_ relative: String) throws -> [Int32: String] {
        let text = try String(contentsOfFile: Repository.path(relative), encoding: .utf8)
        var rows: [Int32: String] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("| ") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 2, let code = Int32(cells[0]) else { continue }
            rows[code] = cells[1].replacingOccurrences(of: "`", with: "")
        }
        return rows
    }

    @Test(arguments: ["README.md", "radius-config/README.md"])
    func test_documentedExitCodes_areTheCodesAndTheirSummaries(_ file: String) throws {
        let expected = Dictionary(uniqueKeysWithValues: VerifyVerdict.Code.allCases.map { ($0.rawValue, $0.summary) })
        #expect(try Self.rows(file) == expected)
    }

    @Test func test_usageTable_listsEveryCodeInOrder() {
        let lines = VerifyVerdict.Code.table.split(separator: "\n")
        #expect(lines.count == VerifyVerdict.Code.allCases.count)
        #expect(lines.first == "  0  accept")
        #expect(lines.contains("  13 certificate hash not published for this name"))
    }
}
