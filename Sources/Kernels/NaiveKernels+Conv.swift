// The convolution, written as its formula (ConvGeometry.swift): one loop per index.

extension NaiveKernels {
  // x (N, C, H, W), w (O, C, k, k), bias (O) or nil, y (N, O, OH, OW), overwritten.
  //   y[n, o, a, b] = bias[o] + Σ_c,i,j x[n, c, a·s − p + i, b·s − p + j] · w[o, c, i, j]
  public func conv2d(
    _ g: ConvGeometry, x: UnsafePointer<Float>, weight w: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>
  ) {
    let (C, H, W, O, k, OH, OW) = (
      g.inChannels, g.height, g.width, g.outChannels, g.kernel, g.outHeight, g.outWidth
    )
    for n in 0..<g.batch {
      for o in 0..<O {
        for a in 0..<OH {
          for b in 0..<OW {
            var total: Float = bias?[o] ?? 0
            for c in 0..<C {
              for i in 0..<k {
                for j in 0..<k {
                  let (h, v) = (a * g.stride - g.padding + i, b * g.stride - g.padding + j)
                  guard h >= 0, h < H, v >= 0, v < W else { continue }
                  total += x[((n * C + c) * H + h) * W + v] * w[((o * C + c) * k + i) * k + j]
                }
              }
            }
            y[((n * O + o) * OH + a) * OW + b] = total
          }
        }
      }
    }
  }

  // dy (N, O, OH, OW), w (O, C, k, k), dx (N, C, H, W), overwritten.
  //   dx[n, c, h, v] = Σ over every (o, a, b, i, j) with h = a·s − p + i, v = b·s − p + j of
  //                    dy[n, o, a, b] · w[o, c, i, j]
  // (the chain rule of the forward loop: each product x·w sends dy back to the x it read).
  public func conv2dBackwardInput(
    _ g: ConvGeometry, dy: UnsafePointer<Float>, weight w: UnsafePointer<Float>,
    dx: UnsafeMutablePointer<Float>
  ) {
    let (C, H, W, O, k, OH, OW) = (
      g.inChannels, g.height, g.width, g.outChannels, g.kernel, g.outHeight, g.outWidth
    )
    dx.update(repeating: 0, count: g.inputCount)
    for n in 0..<g.batch {
      for o in 0..<O {
        for a in 0..<OH {
          for b in 0..<OW {
            let d = dy[((n * O + o) * OH + a) * OW + b]
            for c in 0..<C {
              for i in 0..<k {
                for j in 0..<k {
                  let (h, v) = (a * g.stride - g.padding + i, b * g.stride - g.padding + j)
                  guard h >= 0, h < H, v >= 0, v < W else { continue }
                  dx[((n * C + c) * H + h) * W + v] += d * w[((o * C + c) * k + i) * k + j]
                }
              }
            }
          }
        }
      }
    }
  }

  // x (N, C, H, W), dy (N, O, OH, OW), dw (O, C, k, k), overwritten.
  //   dw[o, c, i, j] = Σ_n,a,b dy[n, o, a, b] · x[n, c, a·s − p + i, b·s − p + j]
  public func conv2dBackwardWeight(
    _ g: ConvGeometry, x: UnsafePointer<Float>, dy: UnsafePointer<Float>,
    dWeight dw: UnsafeMutablePointer<Float>
  ) {
    let (C, H, W, O, k, OH, OW) = (
      g.inChannels, g.height, g.width, g.outChannels, g.kernel, g.outHeight, g.outWidth
    )
    for o in 0..<O {
      for c in 0..<C {
        for i in 0..<k {
          for j in 0..<k {
            var total: Float = 0
            for n in 0..<g.batch {
              for a in 0..<OH {
                for b in 0..<OW {
                  let (h, v) = (a * g.stride - g.padding + i, b * g.stride - g.padding + j)
                  guard h >= 0, h < H, v >= 0, v < W else { continue }
                  total += dy[((n * O + o) * OH + a) * OW + b] * x[((n * C + c) * H + h) * W + v]
                }
              }
            }
            dw[((o * C + c) * k + i) * k + j] = total
          }
        }
      }
    }
  }
}
