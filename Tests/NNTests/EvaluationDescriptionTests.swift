import NN
import Testing
import TensorCore

@Suite("Evaluation text")
struct EvaluationDescriptionTests {
    /// An evaluation of 16 examples that took `seconds`.
    private func evaluation(seconds: Double) -> Evaluation {
        var metrics = ClassificationMetrics()
        let logits = Tensor(shape: [16, 2], scalars: (0..<32).map { Float($0 % 2) })
        metrics.add(meanLoss: 0.5, logits: logits, labels: [Int32](repeating: 1, count: 16))
        return Evaluation(metrics: metrics, seconds: seconds, steps: 1)
    }

    @Test("images/s keeps three significant digits, so a slow model does not read 0 images/s")
    func throughputDigits() {
        #expect(evaluation(seconds: 15.8).description.hasSuffix(", 16 examples, 1.01 images/s"))
        #expect(evaluation(seconds: 0.4).description.hasSuffix(", 40.0 images/s"))
        #expect(evaluation(seconds: 0.004).description.hasSuffix(", 4000 images/s"))
        #expect(evaluation(seconds: 32).description.hasSuffix(", 0.50 images/s"))
    }
}
