import Testing

@testable import RecognizeDigits

@Suite struct TrainingConsoleTests {
    static func progress(epoch: Int = 0, done: Int, of batches: Int, seconds: Double, cost: Double = 0.5)
        -> TrainingProgress
    {
        var p = TrainingProgress(epoch: epoch, batches: batches)
        for b in 0..<done {
            p.record(batch: b, images: 64, cost: cost, seconds: seconds * Double(b + 1) / Double(done))
        }
        return p
    }

    @Test func aPipeGetsPlainLogLinesOnly() {
        var out = ""
        let console = TrainingConsole(isTerminal: false) { out += $0 }
        console.log("Pass 0, Batch 0, Cost 2.300000")
        console.progress(Self.progress(done: 5, of: 10, seconds: 1))
        console.log("Test with Epoch 0, avg_cost: 0.3, acc: 0.9")
        #expect(out == "Pass 0, Batch 0, Cost 2.300000\nTest with Epoch 0, avg_cost: 0.3, acc: 0.9\n")
    }

    @Test func onATerminalLogLinesEraseTheBarAndItComesBackBelow() {
        var out = ""
        var now = 0.0
        let console = TrainingConsole(isTerminal: true, width: 80, clock: { now }, write: { out += $0 })
        let half = Self.progress(done: 5, of: 10, seconds: 1)
        console.progress(half)
        let bar = TrainingConsole.bar(half, width: 80)
        #expect(out == TrainingConsole.eraseLine + bar)
        out = ""
        console.log("Pass 0, Batch 5, Cost 0.500000")
        // The line starts on an erased row, ends with a newline, and the bar is redrawn under it.
        #expect(out == TrainingConsole.eraseLine + "Pass 0, Batch 5, Cost 0.500000\n" + bar)
        // Redraws are throttled to ten a second, except the epoch's last batch.
        out = ""
        now = 0.05
        console.progress(Self.progress(done: 6, of: 10, seconds: 1.2))
        #expect(out.isEmpty)
        console.progress(Self.progress(done: 10, of: 10, seconds: 2))
        #expect(out.hasPrefix(TrainingConsole.eraseLine + "Pass 0 ["))
        // After the epoch's last batch a log line erases the bar and does not bring it back.
        out = ""
        console.log("Test with Epoch 0, avg_cost: 0.3, acc: 0.9")
        #expect(out == TrainingConsole.eraseLine + "Test with Epoch 0, avg_cost: 0.3, acc: 0.9\n")
    }

    @Test func theBarShowsBatchesRateTimeLeftAndCost() {
        // 469 of 938 batches of 64 images in 6 s: 5002.67 images/s, 6.0 s left.
        let p = Self.progress(epoch: 2, done: 469, of: 938, seconds: 6, cost: 0.25)
        let bar = TrainingConsole.bar(p, width: 90)
        #expect(bar.count == 90)
        #expect(bar.hasPrefix("Pass 2 ["))
        #expect(bar.hasSuffix("] 469/938  5003 img/s  ETA 0:06  cost 0.2500"), "\(bar)")
        let inside = bar.split(separator: "[")[1].split(separator: "]")[0]
        #expect(inside.filter { $0 == "=" }.count + 1 == inside.count / 2)  // half full, with the arrow
        #expect(TrainingConsole.clockTime(3725) == "1:02:05" && TrainingConsole.clockTime(59.6) == "1:00")
    }
}

extension TrainingConsoleTests {
    @Test func onANarrowTerminalTheBarIsCutToTheWidth() {
        let bar = TrainingConsole.bar(Self.progress(done: 3, of: 938, seconds: 1), width: 50)
        #expect(bar.count == 50 && bar.hasPrefix("Pass 0 ["))
    }
}
