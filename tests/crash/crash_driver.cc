// Imports a deterministic list of entries into a store in batches and
// prints "ack <total>" after each batch is committed, so that a test
// killing this process knows what was acknowledged.
//
// Usage: rempart_store_crash_driver STORE TOTAL BATCH
// Exit status: 0 when the whole list is in the store, 1 on any error.
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "rempart/store/sqlite_store.h"
#include "tests/crash/crash_entries.h"

int main(int argc, char** argv) {
  using rempart::StatusCode;
  namespace store = rempart::store;
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s STORE TOTAL BATCH\n", argv[0]);
    return 1;
  }
  const std::uint64_t total = std::strtoull(argv[2], nullptr, 10);
  const std::uint64_t batch_size = std::strtoull(argv[3], nullptr, 10);
  auto opened = store::OpenSqliteStore(argv[1]);
  if (!opened) {
    std::fprintf(stderr, "%s\n", opened.status().ToString().c_str());
    return 1;
  }
  store::Store& target = **opened;
  auto bank = target.CreateBank(rempart::crash::kBank, "crash test");
  if (!bank && bank.error().code() != StatusCode::kAlreadyExists) {
    std::fprintf(stderr, "%s\n", bank.status().ToString().c_str());
    return 1;
  }
  std::vector<store::NewEntry> batch;
  for (std::uint64_t start = 0; start < total; start += batch_size) {
    batch.clear();
    for (std::uint64_t i = start; i < start + batch_size && i < total; ++i) {
      batch.push_back(rempart::crash::ImportEntry(i));
    }
    auto outcome = target.AddEntries(rempart::crash::kBank, batch);
    if (!outcome) {
      std::fprintf(stderr, "%s\n", outcome.status().ToString().c_str());
      return 1;
    }
    const std::uint64_t acked = start + batch.size();
    std::printf("ack %" PRIu64 "\n", acked);
    std::fflush(stdout);
  }
  return 0;
}
