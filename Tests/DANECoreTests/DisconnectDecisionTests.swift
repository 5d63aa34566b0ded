import DANECore
import Testing

/// Which sessions are disconnected, and what the NAS's answer does to the record
/// (design.md "Revocation and disconnect").
struct DisconnectDecisionTests {
    typealias Record = SessionRecordTests
    static let sensor = SessionRecordTests.sensor
    static let hash = SessionRecordTests.hash
    static let now: Int64 = 1_700_000_600
    static let ap1 = Config.Disconnect.NAS(address: "192.0.2.10", secretFile: "/etc/danesync/ap1.secret")
    static let ap6 = Config.Disconnect.NAS(address: "2001:db8::10", port: 1700, secretFile: "/etc/danesync/ap6.secret")

    static func entry(
        _ network: String = "corp-iot", hashes: [String] = [hash], pins: [TLSARecord] = [], withdrawnAt: Int64? = nil
    ) -> TrustMapEntry {
        TrustMapEntry(network: network, name: sensor, hashes: hashes, pins: pins, withdrawnAt: withdrawnAt)
    }

    static func action(
        _ record: SessionRecord = Record.record(), network: TrustMapEntry?, any: TrustMapEntry? = nil,
        nas: [Config.Disconnect.NAS] = [ap1, ap6], maxAge: Duration = .seconds(86400)
    ) -> DisconnectDecision.Action {
        DisconnectDecision.action(
            for: record, now: now, maxAge: maxAge, networkEntry: network, anyEntry: any, nas: nas)
    }

    // MARK: which sessions

    @Test func test_stillPublished_onItsNetworkOrUnderStar_isKept() {
        #expect(Self.action(network: Self.entry()) == .keep)
        #expect(Self.action(network: nil, any: Self.entry("*")) == .keep)
    }

    @Test func test_withdrawn_isDisconnected_atItsNAS() {
        #expect(
            Self.action(network: .withdrawn(network: "corp-iot", name: Self.sensor, since: 1)) == .disconnect(Self.ap1))
    }

    @Test func test_removedFromThePolicy_bogusOrInsecure_leaveNoEntry_andAreDisconnected() {
        #expect(Self.action(network: nil) == .disconnect(Self.ap1))
    }

    @Test func test_certificateReplaced_isDisconnected() {
        #expect(Self.action(network: Self.entry(hashes: [String(repeating: "cd", count: 32)])) == .disconnect(Self.ap1))
    }

    @Test func test_anEntryForAnotherNetwork_doesNotKeepTheSession() {
        // Admitted on corp-iot; the name now lists only "guest": the corp-iot session goes.
        let record = Record.record(network: "corp-iot")
        #expect(Self.action(record, network: nil, any: nil) == .disconnect(Self.ap1))
    }

    @Test func test_pins_keepOnlyWhatTheyMayAdmit() {
        let hashPin = TLSARecord(
            usage: .daneEE, selector: .cert, matchingType: .sha256, data: Hex.decode(Self.hash)!)
        let otherHashPin = TLSARecord(
            usage: .daneEE, selector: .cert, matchingType: .sha256, data: [UInt8](repeating: 0xcd, count: 32))
        let spkiPin = TLSARecord(
            usage: .daneEE, selector: .spki, matchingType: .sha256, data: [UInt8](repeating: 0xcd, count: 32))
        #expect(Self.action(network: Self.entry(hashes: [], pins: [hashPin])) == .keep)
        #expect(Self.action(network: Self.entry(hashes: [], pins: [otherHashPin])) == .disconnect(Self.ap1))
        // An SPKI pin cannot be checked against a certificate hash: kept (the known limit).
        #expect(Self.action(network: Self.entry(hashes: [], pins: [spkiPin])) == .keep)
    }

    // MARK: where

    @Test func test_NASAddresses_compareAsAddresses() {
        let record = Record.record(nas: "2001:DB8:0::10")
        #expect(Self.action(record, network: nil) == .disconnect(Self.ap6))
    }

    @Test func test_aNASNotConfigured_isUnknown() {
        #expect(Self.action(Record.record(nas: "192.0.2.99"), network: nil) == .unknownNAS)
        #expect(Self.action(Record.record(nas: "not-an-address"), network: nil) == .unknownNAS)
        #expect(Self.action(network: nil, nas: []) == .unknownNAS)
    }

    @Test func test_aRecordNotRefreshedWithinMaxAge_expires_whateverTheTrustMap() {
        let old = Record.record(time: Self.now - 86401)
        #expect(Self.action(old, network: nil) == .expire)
        #expect(Self.action(old, network: Self.entry()) == .expire)
        #expect(Self.action(Record.record(time: Self.now - 86400), network: Self.entry()) == .keep)
    }

    // MARK: answers

    @Test func test_exitCodes_areTheAnswers() {
        #expect(DisconnectDecision.Result(exitCode: 0) == .ack)
        #expect(DisconnectDecision.Result(exitCode: 1) == .nak)
        #expect(DisconnectDecision.Result(exitCode: 2) == .noAnswer)
        #expect(DisconnectDecision.Result(exitCode: 124) == .noAnswer)
        #expect(DisconnectDecision.Result(exitCode: nil) == .noAnswer, "killed or never started")
    }

    @Test func test_anAnswerOrAnUnknownNAS_settlesTheRecord_noAnswerRetriesIt() {
        #expect(DisconnectDecision.Result.ack.removesRecord && DisconnectDecision.Result.ack.isAnswered)
        #expect(DisconnectDecision.Result.nak.removesRecord && DisconnectDecision.Result.nak.isAnswered)
        #expect(DisconnectDecision.Result.unknownNAS.removesRecord && !DisconnectDecision.Result.unknownNAS.isAnswered)
        #expect(!DisconnectDecision.Result.noAnswer.removesRecord && !DisconnectDecision.Result.noAnswer.isAnswered)
    }
}
