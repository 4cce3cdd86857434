import CHDF5
import Foundation
import Testing

@testable import HDF5

@Suite struct AttributeTests {
    @Test func stringScalarAndArrayRoundTrip() throws {
        let temporary = TemporaryFile()
        let config = #"{"class_name": "Sequential", "config": {"name": "héllo ✓"}}"#
        do {
            let file = try HDF5File.create(temporary.path)
            try file.root.setAttribute("model_config", string: config)
            try file.root.setAttribute("keras_version", string: "2.15.0")
            let weights = try file.root.createGroup("model_weights")
            try weights.setAttribute("layer_names", strings: ["conv2d", "dense", "dense_1"])
            try weights.setAttribute("weight_names", strings: [])
        }
        let root = try HDF5File.open(temporary.path).root
        let attribute = try root.attribute("model_config")
        #expect(attribute.elementType == .string)
        #expect(attribute.shape == [])
        #expect(attribute.elementCount == 1)
        #expect(try attribute.readString() == config)
        #expect(try attribute.readStrings() == [config])
        let names = try root.group("model_weights").attribute("layer_names")
        #expect(names.shape == [3])
        #expect(try names.readStrings() == ["conv2d", "dense", "dense_1"])
        #expect(try root.group("model_weights").attribute("weight_names").readStrings() == [])
        let error = #expect(throws: HDF5Error.self) { try names.readString() }
        #expect(error?.kind == .typeMismatch)
    }

    @Test func numericArraysRoundTrip() throws {
        let temporary = TemporaryFile()
        do {
            let file = try HDF5File.create(temporary.path)
            let group = try file.root.createGroup("g")
            try group.setAttribute("scale", values: [Float(0.5), 0.25, 2])
            try group.setAttribute("step", values: [Int64(42)], shape: [])
            try group.setAttribute("matrix", values: [Int32(1), 2, 3, 4, 5, 6], shape: [2, 3])
            try group.setAttribute("half", values: [Float16(1.5)])
        }
        let group = try HDF5File.open(temporary.path).root.group("g")
        #expect(try group.attribute("scale").read(as: Float.self) == [0.5, 0.25, 2])
        #expect(try group.attribute("scale").read(as: Double.self) == [0.5, 0.25, 2])
        let step = try group.attribute("step")
        #expect(step.shape == [])
        #expect(step.elementType == .int64)
        #expect(try step.read(as: Int.self) == [42])
        let matrix = try group.attribute("matrix")
        #expect(matrix.shape == [2, 3])
        #expect(try matrix.read(as: Float.self) == [1, 2, 3, 4, 5, 6])
        #expect(try group.attribute("half").elementType == .float16)
        #expect(try group.attribute("half").read(as: Float.self) == [1.5])
        let error = #expect(throws: HDF5Error.self) { try matrix.readStrings() }
        #expect(error?.kind == .typeMismatch)
    }

    @Test func namesReplaceAndDelete() throws {
        let temporary = TemporaryFile()
        let root = try HDF5File.create(temporary.path).root
        try root.setAttribute("b", string: "first")
        try root.setAttribute("a", values: [Int8(1)])
        try root.setAttribute("b", strings: ["second", "third"])
        #expect(try root.attributeNames() == ["a", "b"])
        #expect(try root.attribute("b").readStrings() == ["second", "third"])
        #expect(try root.hasAttribute("a"))
        try root.deleteAttribute("a")
        #expect(try !root.hasAttribute("a"))
        #expect(try root.attributeNames() == ["b"])
        let dataset = try root.createDataset("d", values: [Float(1)], shape: [1])
        try dataset.setAttribute("units", string: "m")
        #expect(try root.dataset("d").attribute("units").readString() == "m")
    }

    @Test func missingAttributeNamesFileAndObject() throws {
        let temporary = TemporaryFile("model.h5")
        let group = try HDF5File.create(temporary.path).root.createGroup("model_weights")
        let error = #expect(throws: HDF5Error.self) { try group.attribute("layer_names") }
        #expect(error?.kind == .notFound)
        #expect(error?.description == "\(temporary.path): /model_weights: no attribute \"layer_names\"")
        #expect(throws: HDF5Error.self) { try group.deleteAttribute("layer_names") }
    }

    @Test func limitAppliesToAttributes() throws {
        let temporary = TemporaryFile()
        do {
            let root = try HDF5File.create(temporary.path).root
            try root.setAttribute("big", values: [Double](repeating: 1, count: 100))
            try root.setAttribute("names", strings: Array(repeating: "0123456789", count: 20))
        }
        let root = try HDF5File.open(temporary.path, limits: HDF5Limits(maxDatasetBytes: 100)).root
        let numbers = #expect(throws: HDF5Error.self) { try root.attribute("big").read(as: Double.self) }
        #expect(numbers?.kind == .tooLarge)
        #expect(numbers?.description.hasPrefix("\(temporary.path): /: attribute \"big\" needs 800 bytes") == true)
        #expect(throws: HDF5Error.self) { try root.attribute("names").readStrings() }
        #expect(try root.attribute("big").read(as: UInt8.self).count == 100)
    }

    /// Writes an attribute exactly as h5py does for the given string type.
    private func writeRaw(
        _ object: hid_t, _ name: String, type: hid_t, shape: [hsize_t]?, bytes: [UInt8]
    ) {
        let space = shape.map { H5Screate_simple(Int32($0.count), $0, nil) } ?? H5Screate(H5S_SCALAR)
        defer { H5Sclose(space) }
        let attribute = H5Acreate2(object, name, type, space, compress_H5P_DEFAULT(), compress_H5P_DEFAULT())
        defer { H5Aclose(attribute) }
        _ = bytes.withUnsafeBytes { H5Awrite(attribute, type, $0.baseAddress!) }
    }

    private func fixedStringType(size: Int, pad: H5T_str_t, cset: H5T_cset_t = H5T_CSET_ASCII) -> hid_t {
        let type = H5Tcopy(compress_H5T_C_S1())
        H5Tset_size(type, size)
        H5Tset_strpad(type, pad)
        H5Tset_cset(type, cset)
        return type
    }

    @Test func readsStringsAsH5pyAndKerasWriteThem() throws {
        let temporary = TemporaryFile("keras.h5")
        do {
            let file = H5Fcreate(temporary.path, compress_H5F_ACC_TRUNC(), compress_H5P_DEFAULT(), compress_H5P_DEFAULT())
            defer { H5Fclose(file) }
            // numpy `S7` array (Keras `layer_names`): NULL-padded, full-length elements have no NUL.
            let s7 = fixedStringType(size: 7, pad: H5T_STR_NULLPAD)
            writeRaw(file, "layer_names", type: s7, shape: [3], bytes: Array("dense\0\0dense_1conv\0\0\0".utf8))
            H5Tclose(s7)
            // tf.keras 2 `model_config`: a bytes scalar, i.e. a fixed-length UTF-8 string.
            let json = Array(#"{"a": "é"}"#.utf8)
            let scalar = fixedStringType(size: json.count, pad: H5T_STR_NULLPAD, cset: H5T_CSET_UTF8)
            writeRaw(file, "model_config", type: scalar, shape: nil, bytes: json)
            H5Tclose(scalar)
            // Fortran-style space padding.
            let spaced = fixedStringType(size: 6, pad: H5T_STR_SPACEPAD)
            writeRaw(file, "spaced", type: spaced, shape: [2], bytes: Array("ab    cdef  ".utf8))
            H5Tclose(spaced)
            // Null-terminated C strings.
            let terminated = fixedStringType(size: 4, pad: H5T_STR_NULLTERM)
            writeRaw(file, "terminated", type: terminated, shape: [2], bytes: Array("ab\0\0xyz\0".utf8))
            H5Tclose(terminated)
            // h5py `string_dtype('ascii')` array: variable-length ASCII.
            let variable = H5Tcopy(compress_H5T_C_S1())
            H5Tset_size(variable, compress_H5T_VARIABLE())
            let space = H5Screate_simple(1, [2], nil)
            let attribute = H5Acreate2(file, "variable", variable, space, compress_H5P_DEFAULT(), compress_H5P_DEFAULT())
            "one".withCString { first in
                "two".withCString { second in
                    var pointers: [UnsafePointer<CChar>?] = [first, second]
                    _ = H5Awrite(attribute, variable, &pointers)
                }
            }
            H5Aclose(attribute)
            H5Sclose(space)
            H5Tclose(variable)
        }
        let root = try HDF5File.open(temporary.path).root
        #expect(try root.attribute("layer_names").readStrings() == ["dense", "dense_1", "conv"])
        #expect(try root.attribute("model_config").readString() == #"{"a": "é"}"#)
        #expect(try root.attribute("spaced").readStrings() == ["ab", "cdef"])
        #expect(try root.attribute("terminated").readStrings() == ["ab", "xyz"])
        #expect(try root.attribute("variable").readStrings() == ["one", "two"])
    }

    @Test func writesStringArraysAsNumpyBytes() throws {
        let temporary = TemporaryFile()
        try HDF5File.create(temporary.path).root.setAttribute("layer_names", strings: ["dense", "dense_12"])
        let file = H5Fopen(temporary.path, compress_H5F_ACC_RDONLY(), compress_H5P_DEFAULT())
        defer { H5Fclose(file) }
        let attribute = H5Aopen(file, "layer_names", compress_H5P_DEFAULT())
        defer { H5Aclose(attribute) }
        let type = H5Aget_type(attribute)
        defer { H5Tclose(type) }
        #expect(H5Tget_class(type) == H5T_STRING)
        #expect(H5Tis_variable_str(type) == 0)
        #expect(H5Tget_size(type) == 8)
        #expect(H5Tget_strpad(type) == H5T_STR_NULLPAD)
        #expect(H5Tget_cset(type) == H5T_CSET_ASCII)
    }
}
