// HugeArray<T>: a fixed-size array of trivially copyable T in memory mapped
// for transparent huge pages.
//
// Index tables are gigabytes read at random; with 4 KiB pages nearly every
// probe would also miss the TLB. Mapping with MADV_HUGEPAGE lets the kernel
// back them with 2 MiB pages (when the system allows it; otherwise they
// work as ordinary memory). Move-only; not thread-safe to resize.
#ifndef REMPART_INDEX_HUGE_ARRAY_H_
#define REMPART_INDEX_HUGE_ARRAY_H_

#include <sys/mman.h>

#include <cstddef>
#include <new>
#include <span>
#include <type_traits>
#include <utility>

namespace rempart::index {

template <typename T>
class HugeArray {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  HugeArray() = default;
  // `size` zero-initialised elements. Throws std::bad_alloc when the memory
  // cannot be mapped (caught where indexes are built).
  explicit HugeArray(std::size_t size) : size_(size) {
    if (size == 0) return;
    mapped_bytes_ = RoundUp(size * sizeof(T));
    void* memory = mmap(nullptr, mapped_bytes_, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) throw std::bad_alloc();
    madvise(memory, mapped_bytes_, MADV_HUGEPAGE);
    data_ = static_cast<T*>(memory);
  }
  HugeArray(const HugeArray&) = delete;
  HugeArray& operator=(const HugeArray&) = delete;
  HugeArray(HugeArray&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)),
        size_(std::exchange(other.size_, 0)),
        mapped_bytes_(std::exchange(other.mapped_bytes_, 0)) {}
  HugeArray& operator=(HugeArray&& other) noexcept {
    if (this != &other) {
      Release();
      data_ = std::exchange(other.data_, nullptr);
      size_ = std::exchange(other.size_, 0);
      mapped_bytes_ = std::exchange(other.mapped_bytes_, 0);
    }
    return *this;
  }
  ~HugeArray() { Release(); }

  [[nodiscard]] T* data() { return data_; }
  [[nodiscard]] const T* data() const { return data_; }
  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] std::size_t memory_bytes() const { return mapped_bytes_; }
  T& operator[](std::size_t i) { return data_[i]; }
  const T& operator[](std::size_t i) const { return data_[i]; }
  [[nodiscard]] std::span<T> span() { return {data_, size_}; }
  [[nodiscard]] std::span<const T> span() const { return {data_, size_}; }

 private:
  static constexpr std::size_t kHugePage = std::size_t{2} << 20;
  static constexpr std::size_t kPage = 4096;

  // Whole pages; whole huge pages once the array is big enough to use them.
  static std::size_t RoundUp(std::size_t bytes) {
    const std::size_t unit = bytes >= kHugePage ? kHugePage : kPage;
    return (bytes + unit - 1) / unit * unit;
  }
  void Release() {
    if (data_ != nullptr) munmap(data_, mapped_bytes_);
    data_ = nullptr;
  }

  T* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t mapped_bytes_ = 0;
};

}  // namespace rempart::index

#endif  // REMPART_INDEX_HUGE_ARRAY_H_
