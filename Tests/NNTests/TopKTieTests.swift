import NN
import Testing
import TensorCore

@Suite("top-k accuracy with ties and NaN")
struct TopKTieTests {
    @Test("equal outputs score what answering the first class scores, not 100%")
    func tiesRankByIndex() {
        let logits = Tensor(repeating: 0, shape: [10, 10])
        let labels = (0..<10).map(Int32.init)
        #expect(topKCorrect(logits: logits, labels: labels, k: 1) == 1)
        #expect(topKCorrect(logits: logits, labels: labels, k: 5) == 5)
        let tiedPair = Tensor(shape: [2, 3], scalars: [1, 3, 3, 1, 3, 3])
        #expect(topKCorrect(logits: tiedPair, labels: [1, 2], k: 1) == 1)
        #expect(topKCorrect(logits: tiedPair, labels: [1, 2], k: 2) == 2)
    }

    @Test("a NaN output never makes a label count as correct")
    func nanNeverCounts() {
        let logits = Tensor(shape: [3, 3], scalars: [.nan, .nan, .nan, 1, .nan, 0, 2, 1, 0])
        #expect(topKCorrect(logits: logits, labels: [0, 0, 0], k: 1) == 1)
        #expect(topKCorrect(logits: logits, labels: [0, 0, 0], k: 2) == 2)
    }
}
