import Foundation
import Testing

/// The collective ops between real processes: `fluid collectives` started by Open MPI's
/// mpirun on 2 and 3 ranks, each rank's results against the formulas worked out here, and a
/// failing or stalled rank ending the job instead of hanging it; and 2 ranks on two hosts.
@Suite(.serialized) struct CollectivesCommandTests {
    /// The fluid executable beside the test bundle.
    static let fluid = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent("fluid").path

    struct Finished {
        var status: Int32, output: String, seconds: Double
    }

    /// mpirun -np `ranks` fluid collectives `arguments`, over shared memory, as root if need be;
    /// killed after `limit` seconds.
    static func mpirun(
        _ ranks: Int, _ arguments: [String], environment extra: [String: String] = [:], limit: Double = 120
    ) throws -> Finished {
        try run(
            [
                "mpirun", "-np", "\(ranks)", "--oversubscribe", "--mca", "btl", "self,vader",
                "--mca", "btl_vader_single_copy_mechanism", "none",
            ] + extra.keys.sorted().flatMap { ["-x", $0] } + [fluid, "collectives"] + arguments,
            environment: extra, limit: limit)
    }

    /// Runs `command` (looked up in PATH) as root if need be; kills it after `limit` seconds.
    static func run(_ command: [String], environment extra: [String: String] = [:], limit: Double = 120) throws
        -> Finished
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        var environment = ProcessInfo.processInfo.environment
        environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        environment.merge(extra) { _, new in new }
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let start = Date()
        try process.run()
        let killer = DispatchWorkItem { process.terminate() }
        DispatchQueue.global().asyncAfter(deadline: .now() + limit, execute: killer)
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        killer.cancel()
        return Finished(
            status: process.terminationStatus, output: String(decoding: data, as: UTF8.self),
            seconds: Date().timeIntervalSince(start))
    }

    /// Each rank's results, by rank.
    static func results(_ output: String) throws -> [Int: [String: [Double]]] {
        var byRank: [Int: [String: [Double]]] = [:]
        for line in output.split(separator: "\n") where line.hasPrefix("{") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let rank = try #require(object["rank"] as? Int)
            byRank[rank] = try #require(object["results"] as? [String: [Double]])
        }
        return byRank
    }

    @Test(arguments: [(2, nil), (3, nil), (3, 1)] as [(Int, Int?)])
    func everyRankGetsTheReduction(ranks: Int, root: Int?) throws {
        let run = try Self.mpirun(ranks, root.map { ["--root", "\($0)"] } ?? [])
        #expect(run.status == 0, "\(run.output)")
        let byRank = try Self.results(run.output)
        #expect(byRank.keys.sorted() == Array(0..<ranks), "\(run.output)")
        let all = 0..<ranks
        let sum = (0..<6).map { i in Double(all.map { ($0 + 1) * (i + 1) }.reduce(0, +)) }
        let max = (0..<5).map { i in Double(all.map { (i * ($0 + 2)) % 7 }.max()!) }
        let min = (0..<4).map { i in all.map { Double($0 + 1) - 0.5 * Double(i) }.min()! }
        let prod = (0..<3).map { i in all.map { 1 + 0.5 * Double($0) + Double(i) }.reduce(1, *) }
        let source = root ?? ranks - 1
        let broadcast = (0..<4).map { Double(100 * source + $0) }
        for rank in all {
            let r = try #require(byRank[rank])
            #expect(r["c_allreduce_sum"] == sum, "rank \(rank)")
            #expect(r["c_allreduce_max"] == max, "rank \(rank)")
            #expect(r["c_allreduce_min"] == min, "rank \(rank)")
            #expect(zip(r["c_allreduce_prod"] ?? [], prod).allSatisfy { abs($0 - $1) <= 1e-5 * $1 }, "rank \(rank)")
            #expect(r["c_allreduce_prod"]?.count == 3)
            #expect(r["c_broadcast"] == broadcast, "rank \(rank)")
            #expect(r["barrier"] == sum, "rank \(rank)")
        }
    }

    @Test func aFailingRankEndsTheJob() throws {
        let run = try Self.mpirun(2, ["--fail-rank", "1"])
        #expect(run.status != 0)
        #expect(run.output.contains("rank 1 of 2: ") && run.output.contains("asked to fail"), "\(run.output)")
        #expect(run.seconds < 30, "the other rank waited \(run.seconds) s")
    }

    /// Tools/two-hosts: two network namespaces joined by a veth pair, the second rank started
    /// in its own namespace, MPI over TCP. It needs root's CAP_NET_ADMIN, so it runs where a
    /// namespace can be made.
    static let twoHosts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Tools/two-hosts").path
    static let canMakeNetworkNamespaces: Bool = {
        let probe = "swiftfluid-probe-\(getpid())"
        guard let made = try? run(["ip", "netns", "add", probe], limit: 10), made.status == 0 else { return false }
        _ = try? run(["ip", "netns", "del", probe], limit: 10)
        return true
    }()

    @Test(.enabled(if: canMakeNetworkNamespaces)) func ranksOnTwoHostsOverTCP() throws {
        let run = try Self.run([Self.twoHosts, Self.fluid, "collectives", "--root", "0"])
        #expect(run.status == 0, "\(run.output)")
        let byRank = try Self.results(run.output)
        #expect(byRank.keys.sorted() == [0, 1], "\(run.output)")
        for rank in 0..<2 {
            #expect(byRank[rank]?["c_allreduce_sum"] == [3, 6, 9, 12, 15, 18], "rank \(rank)")
            #expect(byRank[rank]?["c_broadcast"] == [0, 1, 2, 3], "rank \(rank)")
        }
    }

    @Test func aStalledRankTimesTheOthersOut() throws {
        let run = try Self.mpirun(
            2, ["--stall-rank", "0", "--stall-seconds", "60"], environment: ["FLUID_COLLECTIVE_TIMEOUT": "2"])
        #expect(run.status != 0)
        #expect(
            run.output.contains("'c_allreduce_sum': rank 1 of 2 on sum: MPI_Iallreduce did not complete within 2 s"),
            "\(run.output)")
        #expect(run.seconds < 30, "took \(run.seconds) s")
    }
}
