import NN

/// The figures `compress eval` prints, in a form that encodes to JSON.
public struct EvaluationReport: Codable, Equatable, Sendable {
    public var model: String
    public var data: String
    public var images: Int
    public var top1: Double
    public var top5: Double
    public var loss: Double
    public var imagesPerSecond: Double

    public init(model: String, data: String, _ evaluation: Evaluation) {
        self.model = model
        self.data = data
        images = evaluation.count
        top1 = evaluation.top1Accuracy
        top5 = evaluation.top5Accuracy
        loss = evaluation.meanLoss
        imagesPerSecond = evaluation.imagesPerSecond
    }
}
