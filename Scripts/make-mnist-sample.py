"""Writes the first 1000 MNIST test images and labels as gzipped IDX files into fixtures/.

The interop tests compare our predictions on these images with Keras's, without needing the
full data set (which lives in data/, fetched by Scripts/fetch-mnist.sh, and is not committed).
usage: python3 Scripts/make-mnist-sample.py   (after Scripts/fetch-mnist.sh)
"""
import gzip
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COUNT = 1000


def main():
    source = os.path.join(ROOT, "data", "mnist")
    for name, header_size, item_size in (("t10k-images-idx3-ubyte", 16, 784), ("t10k-labels-idx1-ubyte", 8, 1)):
        with open(os.path.join(source, name), "rb") as f:
            data = f.read()
        header = bytearray(data[:header_size])
        header[4:8] = COUNT.to_bytes(4, "big")
        body = data[header_size:header_size + COUNT * item_size]
        out = os.path.join(ROOT, "fixtures", name.replace("t10k", "mnist-test-1000") + ".gz")
        with open(out, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0, filename="") as f:
            f.write(bytes(header) + body)
        print(f"wrote {out} ({os.path.getsize(out)} bytes)")


if __name__ == "__main__":
    main()
