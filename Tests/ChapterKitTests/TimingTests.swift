import Foundation
import Testing

@testable import ChapterKit

@Test func medianOfOddEvenAndEmptyLists() {
  #expect(median([]) == nil)
  #expect(median([5]) == 5)
  #expect(median([3, 1, 2]) == 2)
  #expect(median([4, 1, 3, 2]) == 2.5)
  #expect(median([10, 1, 1, 1, 100]) == 1)  // one slow epoch does not move it
}

@Test func stopwatchNeverRunsBackwards() {
  let watch = Stopwatch()
  let first = watch.seconds
  let second = watch.seconds
  #expect(first >= 0 && second >= first)
  let (value, seconds) = measure { 6 * 7 }
  #expect(value == 42 && seconds >= 0)
  #expect(Stopwatch.seconds(in: .milliseconds(1500)) == 1.5)
}

@Test func peakMemoryIsPositiveOnLinux() throws {
  #if os(Linux)
    let mebibytes = try #require(PeakMemory.mebibytes())
    #expect(mebibytes > 0)
  #else
    #expect(PeakMemory.mebibytes() == nil)
  #endif
  let status = "Name:\ttest\nVmPeak:\t  2048 kB\nVmHWM:\t    3072 kB\nVmRSS:\t 1024 kB\n"
  #expect(PeakMemory.parseHighWaterMark(status) == 3)
  #expect(PeakMemory.parseHighWaterMark("Name: x\n") == nil)
}

@Test func numberFormats() {
  #expect(Format.significant(0.021300001) == "0.02130")
  #expect(Format.significant(0.021300001, trimZeros: true) == "0.0213")
  #expect(Format.significant(1234.6) == "1235")
  #expect(Format.significant(-2.5, trimZeros: true) == "-2.5")
  #expect(Format.significant(0) == "0")
  #expect(Format.significant(.nan) == "nan")
  #expect(Format.significant(3e-6) == "3.000e-06")
  #expect(Format.significant(3e-6, trimZeros: true) == "3e-06")
  #expect(Format.grouped(14630) == "14,630")
  #expect(Format.grouped(999) == "999")
  #expect(Format.grouped(-1_234_567) == "-1,234,567")
  #expect(Format.clock(12) == "0:12")
  #expect(Format.clock(754) == "12:34")
  #expect(Format.clock(3723) == "1:02:03")
  #expect(Format.seconds(4.14) == "4.1")
  #expect(Format.seconds(0.347) == "0.35")
}
