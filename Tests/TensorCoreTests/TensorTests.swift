import Testing
import TensorCore

@Test func elementWritesKeepStorageAndCount() async {
    var x = Tensor(zeros: [3, 4])
    x.scalars[0] = 1
    let storage = x.scalars.withUnsafeBufferPointer { $0.baseAddress }
    for i in 0..<x.count { x.scalars[i] = Float(i) }
    x[2, 3] = -1
    #expect(x.scalars.withUnsafeBufferPointer { $0.baseAddress } == storage)
    #expect(x.scalars[11] == -1 && x.scalars[5] == 5)
    await #expect(processExitsWith: .failure) {
        var y = Tensor(zeros: [2])
        y.scalars.append(1)
    }
}
