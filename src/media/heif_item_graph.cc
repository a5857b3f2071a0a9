// A guard in front of libheif: reject HEIF/AVIF files whose derived-image
// references ("dimg": grid tiles, identity and overlay inputs) form a cycle.
//
// libheif 1.15 (Debian 12) decodes a derived image by decoding its inputs,
// each on a new thread, and follows a self-referencing "dimg" edge forever:
// the process hangs while spawning threads without bound (found by
// fuzz_decode_heif). No libheif option prevents it, so before libheif sees
// the bytes we read just enough ISO-BMFF structure — the top-level `meta`
// box and its `iref` box — to find those edges, and refuse any cycle and
// any chain deeper than kMaxDerivationDepth. Files without `meta`, or whose
// structure we cannot follow, are left to libheif, which rejects malformed
// files itself; a malformed `iref` is rejected here.
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "media/decoders.h"

namespace rempart::media::internal {
namespace {

// Real files derive at most two levels (a grid of coded tiles, maybe under
// an identity transform); anything much deeper is an attack.
constexpr int kMaxDerivationDepth = 16;

std::uint32_t ReadUint(std::span<const std::uint8_t> bytes, std::size_t offset,
                       int width) {
  std::uint32_t value = 0;
  for (int i = 0; i < width; ++i) value = (value << 8) | bytes[offset + i];
  return value;
}

struct Box {
  std::uint32_t type = 0;
  std::span<const std::uint8_t> payload;
};

constexpr std::uint32_t FourCc(const char (&name)[5]) {
  return (static_cast<std::uint32_t>(static_cast<unsigned char>(name[0]))
          << 24) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(name[1]))
          << 16) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(name[2]))
          << 8) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(name[3]));
}

// Splits the next box off `rest`. False when the header is malformed.
bool NextBox(std::span<const std::uint8_t>& rest, Box& box) {
  if (rest.size() < 8) return false;
  std::uint64_t size = ReadUint(rest, 0, 4);
  box.type = ReadUint(rest, 4, 4);
  std::size_t header = 8;
  if (size == 1) {
    if (rest.size() < 16) return false;
    size = (static_cast<std::uint64_t>(ReadUint(rest, 8, 4)) << 32) |
           ReadUint(rest, 12, 4);
    header = 16;
  } else if (size == 0) {
    size = rest.size();
  }
  if (size < header || size > rest.size()) return false;
  box.payload = rest.subspan(header, size - header);
  rest = rest.subspan(size);
  return true;
}

using Graph = std::map<std::uint32_t, std::vector<std::uint32_t>>;

// Reads the "dimg" edges of an `iref` payload (a FullBox).
Status ReadDerivations(std::span<const std::uint8_t> iref, Graph& graph,
                       const DecodeLimits& limits) {
  if (iref.size() < 4) return InvalidArgumentError("truncated iref box");
  const int id_width = iref[0] == 0 ? 2 : 4;
  std::span<const std::uint8_t> rest = iref.subspan(4);
  std::int64_t edges = 0;
  Box reference;
  while (!rest.empty()) {
    if (!NextBox(rest, reference)) {
      return InvalidArgumentError("malformed item reference in iref box");
    }
    const auto& payload = reference.payload;
    if (payload.size() < static_cast<std::size_t>(id_width) + 2) {
      return InvalidArgumentError("truncated item reference");
    }
    const std::uint32_t from = ReadUint(payload, 0, id_width);
    const std::uint32_t count = ReadUint(payload, id_width, 2);
    if (payload.size() < id_width + 2 + std::size_t{count} * id_width) {
      return InvalidArgumentError("truncated item reference");
    }
    if (reference.type != FourCc("dimg")) continue;
    edges += count;
    REMPART_RETURN_IF_ERROR(CheckFrameCount(edges, limits));
    auto& inputs = graph[from];
    for (std::uint32_t i = 0; i < count; ++i) {
      inputs.push_back(
          ReadUint(payload, id_width + 2 + i * id_width, id_width));
    }
  }
  return OkStatus();
}

// Depth-first search without recursion: a cycle or an over-deep chain of
// derivations is an error.
Status CheckAcyclic(const Graph& graph) {
  enum class Mark { kNew, kOpen, kDone };
  std::map<std::uint32_t, Mark> marks;
  for (const auto& [root, unused] : graph) {
    if (marks[root] != Mark::kNew) continue;
    // Each frame: item and the index of its next input to visit.
    std::vector<std::pair<std::uint32_t, std::size_t>> stack = {{root, 0}};
    marks[root] = Mark::kOpen;
    while (!stack.empty()) {
      auto& [item, next] = stack.back();
      const auto found = graph.find(item);
      if (found == graph.end() || next >= found->second.size()) {
        marks[item] = Mark::kDone;
        stack.pop_back();
        continue;
      }
      const std::uint32_t input = found->second[next++];
      Mark& mark = marks[input];
      if (mark == Mark::kOpen) {
        return InvalidArgumentError("derived image " + std::to_string(input) +
                                    " refers to itself through its inputs");
      }
      if (mark == Mark::kNew) {
        if (static_cast<int>(stack.size()) >= kMaxDerivationDepth) {
          return InvalidArgumentError("derived images nest deeper than " +
                                      std::to_string(kMaxDerivationDepth) +
                                      " levels");
        }
        mark = Mark::kOpen;
        stack.emplace_back(input, 0);
      }
    }
  }
  return OkStatus();
}

}  // namespace

Status CheckHeifItemReferences(std::span<const std::uint8_t> bytes,
                               const DecodeLimits& limits) {
  std::span<const std::uint8_t> rest = bytes;
  Box box;
  while (NextBox(rest, box)) {
    if (box.type != FourCc("meta")) continue;
    if (box.payload.size() < 4)
      return InvalidArgumentError("truncated meta box");
    std::span<const std::uint8_t> children = box.payload.subspan(4);
    Graph graph;
    Box child;
    while (NextBox(children, child)) {
      if (child.type == FourCc("iref")) {
        REMPART_RETURN_IF_ERROR(ReadDerivations(child.payload, graph, limits));
      }
    }
    return CheckAcyclic(graph);
  }
  return OkStatus();
}

}  // namespace rempart::media::internal
