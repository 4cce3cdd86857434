import Testing
@testable import NN

@Suite("Worker pool")
struct ParallelTests {
    @Test func everyPartRunsOnceInManyJobs() {
        let parts = max(2, kernelThreadCount)
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: parts)
        defer { counts.deallocate() }
        counts.initialize(repeating: 0, count: parts)
        let shared = SendablePointer(counts)
        for _ in 0..<2000 {
            runParts(parts) { part in shared.pointer[part] += 1 }
        }
        #expect((0..<parts).allSatisfy { counts[$0] == 2000 })
    }

    @Test func nestedRegionsRunOnTheCallingThread() {
        let results = UnsafeMutablePointer<Int>.allocate(capacity: 4)
        defer { results.deallocate() }
        results.initialize(repeating: 0, count: 4)
        let shared = SendablePointer(results)
        runParts(2) { outer in
            runParts(2) { inner in shared.pointer[outer * 2 + inner] = outer * 2 + inner + 1 }
        }
        #expect((0..<4).map { results[$0] } == [1, 2, 3, 4])
    }

    @Test func partRangesCoverEverything() {
        for count in [0, 1, 5, 64, 1001] {
            for parts in 1...4 {
                let ranges = (0..<parts).map { partRange($0, of: parts, count: count) }
                #expect(ranges.map(\.count).reduce(0, +) == count)
                #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == count)
                for i in 1..<parts { #expect(ranges[i].lowerBound == ranges[i - 1].upperBound) }
            }
        }
    }
}
