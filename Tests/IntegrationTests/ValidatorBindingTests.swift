import DANETestSupport
import Testing

/// The built agent answers libunbound's ECDSA verifications itself (Sources/CValidatorECDSA):
/// its executable exports `nettle_ecdsa_verify`, and the dynamic linker binds libunbound's
/// reference to it rather than to hogweed. Were the export lost, the agent would still be
/// correct but three times slower per name; ValidatorECDSATests checks the verdicts.
struct ValidatorBindingTests {
    @Test func test_libunboundsECDSAVerify_isBoundToTheAgent() throws {
        let agent = try Repository.binary("danesync")
        let run = try Command.run(agent, ["--version"], environment: ["LD_DEBUG": "bindings", "LD_BIND_NOW": "1"])
        #expect(run.status == 0)
        let binding = run.stderrLines.first {
            $0.contains("libunbound.so") && $0.contains("`nettle_ecdsa_verify'")
        }
        #expect(binding?.contains("to \(agent) [0]") == true, "\(binding ?? "no binding of nettle_ecdsa_verify")")
    }
}
