import ArgumentParser
import FluidTestSupport
import Foundation
import Testing

@testable import fluid

/// `fluid bench`: its JSON report says what was timed, and bad input fails with a message.
@Suite struct BenchCommandTests {
    @Test func jsonReportsTheRequestedRun() throws {
        let model = PaddleExports.path("cnn", .directory)
        let text = try Bench.parse([model, "--batch-size", "3", "--calls", "7", "--warmup", "2", "--json"]).report()
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not a JSON object: \(text)")
        #expect(object["batch_size"] as? Int == 3 && object["calls"] as? Int == 7 && object["warmup"] as? Int == 2)
        #expect(object["feeds"] as? [String] == ["img"])
        let median = try #require(object["median_ms"] as? Double)
        let low = try #require(object["min_ms"] as? Double)
        let high = try #require(object["max_ms"] as? Double)
        let p10 = try #require(object["p10_ms"] as? Double)
        let p90 = try #require(object["p90_ms"] as? Double)
        #expect(low > 0 && low <= p10 && p10 <= median && median <= p90 && p90 <= high, "\(text)")
        let rate = try #require(object["images_per_second"] as? Double)
        #expect(abs(rate - 3000 / median) <= 1e-6 * rate, "images/s is batch / median")
        #expect((object["peak_rss_mb"] as? Double ?? 0) > 0)
    }

    @Test func theDefaultCallCountShrinksWithTheBatch() throws {
        #expect(try Bench.parse(["m"]).callCount == 1000)
        #expect(try Bench.parse(["m", "--batch-size", "64"]).callCount == 20)
        #expect(try Bench.parse(["m", "--batch-size", "4", "--calls", "9"]).callCount == 9)
    }

    @Test func aMissingModelIsNamed() throws {
        let directory = try TemporaryDirectory()
        let missing = directory.file("no-such-model")
        let error = #expect(throws: (any Error).self) { _ = try Bench.parse([missing, "--calls", "1"]).report() }
        #expect("\(error.map { "\($0)" } ?? "")".contains(missing))
    }

    @Test(arguments: [
        (["--batch-size", "0"], "--batch-size must be at least 1"),
        (["--batch-size", "-2"], "--batch-size must be at least 1"),
        (["--calls", "0"], "--calls must be at least 1"),
        (["--threads", "0"], "--threads must be at least 1"),
    ])
    func badNumbersAreRefusedByName(_ arguments: [String], _ expected: String) {
        do {
            _ = try Bench.parse(["model"] + arguments)
            Issue.record("\(arguments) accepted")
        } catch {
            #expect(Bench.message(for: error).contains(expected), "\(Bench.message(for: error))")
        }
    }
}
