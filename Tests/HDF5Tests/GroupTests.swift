import CHDF5
import Foundation
import Testing

@testable import HDF5

@Suite struct GroupTests {
    /// `/b`, `/a/x`, `/a/y/z`, `/c` and a hard link `/a/again` to `/a/y`, a soft link `/a/soft`.
    private func makeTree() throws -> TemporaryFile {
        let temporary = TemporaryFile()
        let file = try HDF5File.create(temporary.path)
        try file.root.createGroup("b")
        let a = try file.root.createGroup("a")
        try a.createDataset("x", values: [Float(1)], shape: [1])
        let y = try a.createGroup("y")
        try y.createDataset("z", values: [Int8(1), 2], shape: [2])
        try file.root.createDataset("c", values: [Double(1)], shape: [])
        let rootID = file.root.handle.id
        H5Lcreate_hard(rootID, "/a/y", rootID, "/a/again", compress_H5P_DEFAULT(), compress_H5P_DEFAULT())
        H5Lcreate_soft("/a/x", rootID, "/a/soft", compress_H5P_DEFAULT(), compress_H5P_DEFAULT())
        return temporary
    }

    @Test func childNamesAreInNameOrder() throws {
        let temporary = try makeTree()
        let root = try HDF5File.open(temporary.path).root
        #expect(try root.childNames() == ["a", "b", "c"])
        #expect(try root.group("a").childNames() == ["again", "soft", "x", "y"])
        #expect(try root.group("b").childNames() == [])
    }

    @Test func kindsOfMembers() throws {
        let temporary = try makeTree()
        let root = try HDF5File.open(temporary.path).root
        #expect(try root.kind(of: "a") == .group)
        #expect(try root.kind(of: "c") == .dataset)
        #expect(try root.kind(of: "a/y/z") == .dataset)
        #expect(try root.kind(of: "/a/y") == .group)
        #expect(try root.kind(of: "a/soft") == .other)
        #expect(root.contains("a/again/z"))
        #expect(!root.contains("a/nope"))
        #expect(!root.contains("nope/deeper"))
        let error = #expect(throws: HDF5Error.self) { try root.kind(of: "a/nope") }
        #expect(error?.kind == .notFound)
        #expect(error?.object == "/a/nope")
    }

    @Test func pathsAndNames() throws {
        let temporary = try makeTree()
        let root = try HDF5File.open(temporary.path).root
        let y = try root.group("a").group("y")
        #expect(y.path == "/a/y")
        #expect(y.name == "y")
        #expect(y.filePath == temporary.path)
        let z = try y.dataset("z")
        #expect(z.path == "/a/y/z")
        #expect(z.name == "z")
        #expect(try root.dataset("a//y/z/").path == "/a/y/z")
        #expect(try y.dataset("/c").path == "/c")
    }

    @Test func walkVisitsEveryObjectOnceInOrder() throws {
        let temporary = try makeTree()
        let root = try HDF5File.open(temporary.path).root
        var visited: [String] = []
        try root.walk { object in
            let shape = (object as? HDF5Dataset).map { " \($0.elementType) \($0.shape)" } ?? ""
            visited.append("\(object.kind) \(object.path)\(shape)")
        }
        #expect(visited == [
            "group /a",
            "group /a/again",
            "dataset /a/again/z int8 [2]",
            "dataset /a/x float32 [1]",
            "group /b",
            "dataset /c float64 []",
        ])
        var inA: [String] = []
        try root.group("a").walk { inA.append($0.path) }
        #expect(inA == ["/a/again", "/a/again/z", "/a/x"])
    }

    @Test func createGroupIfNeeded() throws {
        let temporary = TemporaryFile()
        let root = try HDF5File.create(temporary.path).root
        let first = try root.groupCreatingIfNeeded("layers")
        try first.setAttribute("n", values: [Int32(1)])
        let second = try root.groupCreatingIfNeeded("layers")
        #expect(try second.attribute("n").read(as: Int32.self) == [1])
        #expect(throws: HDF5Error.self) { try root.createGroup("layers") }
        let nested = try root.createGroup("layers/dense")
        #expect(nested.path == "/layers/dense")
        #expect(throws: HDF5Error.self) { try root.createGroup("missing/dense") }
    }

    @Test func deepNestingDoesNotOverflowTheStack() throws {
        let temporary = TemporaryFile()
        do {
            var group = try HDF5File.create(temporary.path).root
            for _ in 0..<300 { group = try group.createGroup("g") }
        }
        var count = 0
        try HDF5File.open(temporary.path).root.walk { _ in count += 1 }
        #expect(count == 300)
    }
}
