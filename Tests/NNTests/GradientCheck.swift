import Testing
import TensorCore
@testable import NN

/// Something whose value a gradient check perturbs, with the gradient backward gave it.
struct CheckTarget {
    let name: String
    let get: () -> Tensor
    let set: (Tensor) -> Void
    let grad: () -> Tensor?

    init(_ name: String, _ variable: Variable) {
        self.name = name
        get = { variable.value }
        set = { variable.value = $0 }
        grad = { variable.grad }
    }

    init(_ name: String, _ parameter: Parameter) {
        self.name = name
        get = { parameter.value }
        set = { parameter.value = $0 }
        grad = { parameter.grad }
    }
}

func randomTensor(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    return rng.uniform(shape: shape, low: -scale, high: scale)
}

/// Central-difference check of the gradients of `sum(forward() * R)` for a fixed random `R`.
///
/// Compares at most `samples` elements of each target; the objective is summed in Double.
func checkGradients(_ targets: [CheckTarget], h: Float = 1e-2, tolerance: Float = 2e-2, samples: Int = 24,
                    seed: UInt64 = 7, sourceLocation: SourceLocation = #_sourceLocation,
                    _ forward: () -> Variable) {
    let probe = forward()
    let weights = randomTensor(probe.shape, seed: seed)
    func objective() -> Double {
        let out = forward().value
        var total: Double = 0
        for i in 0..<out.count { total += Double(out.scalars[i]) * Double(weights.scalars[i]) }
        return total
    }
    // Analytic gradients.
    let out = forward()
    let loss = (out * Variable(weights)).sum()
    loss.backward()
    let analytic = targets.map { $0.grad() }
    var rng = RandomGenerator(seed: seed &+ 1)
    for (t, target) in targets.enumerated() {
        guard let gradient = analytic[t] else {
            Issue.record("\(target.name): no gradient", sourceLocation: sourceLocation)
            continue
        }
        let original = target.get()
        #expect(gradient.shape == original.shape, "\(target.name): gradient shape", sourceLocation: sourceLocation)
        let indices = original.count <= samples ? Array(0..<original.count)
            : (0..<samples).map { _ in rng.nextInt(below: original.count) }
        var worst: Float = 0
        for i in indices {
            var plus = original
            plus.scalars[i] += h
            target.set(plus)
            let fPlus = objective()
            var minus = original
            minus.scalars[i] -= h
            target.set(minus)
            let fMinus = objective()
            target.set(original)
            let numeric = Float((fPlus - fMinus) / Double(2 * h))
            let error = abs(numeric - gradient.scalars[i]) / max(1, abs(numeric), abs(gradient.scalars[i]))
            worst = max(worst, error)
        }
        #expect(worst < tolerance, "\(target.name): worst relative error \(worst)", sourceLocation: sourceLocation)
    }
}

func expectClose(_ a: [Float], _ b: [Float], tolerance: Float = 1e-5, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(a.count == b.count, "counts \(a.count) and \(b.count) differ", sourceLocation: sourceLocation)
    var worst: Float = 0
    for (x, y) in zip(a, b) { worst = max(worst, abs(x - y) / max(1, abs(y))) }
    #expect(worst <= tolerance, "worst difference \(worst) in \(a.prefix(8)) vs \(b.prefix(8))", sourceLocation: sourceLocation)
}
