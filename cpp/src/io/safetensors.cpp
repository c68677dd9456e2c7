// The safetensors format: [u64 little-endian N][N bytes of JSON header][data]. The header maps
// each name to {"dtype", "shape", "data_offsets": [begin, end]} (offsets into the data) and may
// hold "__metadata__": {string: string}. Reading trusts nothing: the header must be UTF-8, is
// parsed by a small JSON reader of our own in time linear in its size, and every range is checked
// against the file before a byte is copied.
//
// Checksums: ember writes "ember.crc32c.<name>" for every tensor (the CRC-32C of its dtype and
// shape as "F32[2,3]" followed by its bytes) and "ember.crc32c.__metadata__" (of the other
// metadata entries, sorted, each as "<len>:<key><len>:<value>"), all as 8 hex digits. A file
// with any of these keys must have all of them right; files from other writers have none.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "ember/ops.h"
#include "ember/serialize.h"

namespace ember {

namespace {
constexpr uint64_t kMaxHeader = 100u << 20;  // as the safetensors library
constexpr size_t kChunk = size_t{4} << 20;   // bytes per read or write call
const std::string kCrcPrefix = "ember.crc32c.";
const std::string kMetadataCrc = kCrcPrefix + "__metadata__";

// The dtypes ember reads and writes, under their safetensors names: the one table to extend.
struct DTypeName {
  DType dtype;
  const char* name;
};
constexpr DTypeName kDTypeNames[] = {
    {DType::Bool, "BOOL"},
    {DType::Int64, "I64"},
    {DType::Float32, "F32"},
    {DType::Float64, "F64"},
    {DType::UInt8, "U8"},
    {DType::Int8, "I8"},
    {DType::Int16, "I16"},
    {DType::Int32, "I32"},
    {DType::Float16, "F16"},
    {DType::BFloat16, "BF16"},
};

const char* format_dtype(DType t) {
  for (const auto& row : kDTypeNames)
    if (row.dtype == t) return row.name;
  throw TypeError(detail::cat("save: safetensors has no name for dtype ", dtype_name(t)));
}

const DTypeName* parse_dtype(const std::string& name) {
  for (const auto& row : kDTypeNames)
    if (name == row.name) return &row;
  return nullptr;
}

std::string known_dtypes() {
  std::string out;
  for (const auto& row : kDTypeNames) out += std::string(out.empty() ? "" : ", ") + row.name;
  return out;
}

/// What a tensor's checksum covers besides its bytes: "F32[2,3]".
std::string describe(const char* dtype, const Shape& shape) {
  std::string out = std::string(dtype) + "[";
  for (size_t d = 0; d < shape.size(); ++d) out += (d ? "," : "") + std::to_string(shape[d]);
  return out + "]";
}

uint32_t metadata_crc(const std::map<std::string, std::string>& metadata) {
  uint32_t crc = 0;
  for (const auto& [k, v] : metadata) {
    const std::string entry = std::to_string(k.size()) + ":" + k + std::to_string(v.size()) + ":" + v;
    crc = crc32c(crc, entry.data(), entry.size());
  }
  return crc;
}

std::string hex32(uint32_t v) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", v);
  return buf;
}

bool parse_hex32(const std::string& s, uint32_t* v) {
  if (s.size() != 8) return false;
  *v = 0;
  for (char h : s) {
    *v <<= 4;
    if (h >= '0' && h <= '9') *v |= static_cast<uint32_t>(h - '0');
    else if (h >= 'a' && h <= 'f') *v |= static_cast<uint32_t>(h - 'a' + 10);
    else return false;
  }
  return true;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

/// The offset of the first byte that breaks UTF-8 (overlong forms and surrogates included), or
/// npos. Python, the header's reader, accepts nothing else.
size_t invalid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp, min;
    if ((c & 0xE0) == 0xC0) len = 2, cp = c & 0x1F, min = 0x80;
    else if ((c & 0xF0) == 0xE0) len = 3, cp = c & 0x0F, min = 0x800;
    else if ((c & 0xF8) == 0xF0) len = 4, cp = c & 0x07, min = 0x10000;
    else return i;
    if (i + len > s.size()) return i;
    for (size_t k = 1; k < len; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return i;
      cp = cp << 6 | (d & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return std::string_view::npos;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// ---- the header's reader: JSON read straight into what the header means (a tree of values
// would cost several allocations per tensor); values it has no use for are checked and skipped.
struct RawEntry {
  std::string name, dtype;
  std::vector<int64_t> shape, offsets;
  bool has_dtype = false, has_shape = false, has_offsets = false;
};

struct Header {
  std::vector<std::pair<std::string, std::string>> metadata;
  std::vector<RawEntry> entries;  // in file order
};

class Reader {
 public:
  Reader(const std::string& s, const std::string& where) : s_(s), where_(where) {}

  Header header() {
    if (size_t bad = invalid_utf8(s_); bad != std::string::npos) {
      pos_ = bad;
      fail("the header is not valid UTF-8");
    }
    if (s_.empty() || s_[0] != '{') fail("the header does not start with '{'");  // as the safetensors library
    Header h;
    bool has_metadata = false;
    std::vector<const std::string*> names;
    members([&](std::string key) {
      if (key != "__metadata__") {
        h.entries.push_back(entry(std::move(key)));
        return;
      }
      if (has_metadata) fail("duplicate key \"__metadata__\"");
      has_metadata = true;
      if (peek() != '{') fail("__metadata__ is not an object");
      members([&](std::string k) {
        if (peek() != '"') fail(detail::cat("metadata value of ", json_string(k), " is not a string"));
        h.metadata.emplace_back(std::move(k), string());
      });
      std::vector<const std::string*> keys;
      for (const auto& kv : h.metadata) keys.push_back(&kv.first);
      unique(keys, "__metadata__");
    });
    skip_space();
    if (pos_ != s_.size()) fail("trailing characters after the header's JSON");
    for (const RawEntry& e : h.entries) names.push_back(&e.name);
    unique(names, "the header");
    return h;
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw ValueError(detail::cat("load: ", where_, ": malformed safetensors header: ", what, " (at byte ", pos_, ")"));
  }

 private:
  void skip_space() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\r' || s_[pos_] == '\t')) ++pos_;
  }
  char peek() {
    skip_space();
    if (pos_ >= s_.size()) fail("unexpected end");
    return s_[pos_];
  }
  void expect(char c) {
    if (peek() != c) fail(detail::cat("expected '", c, "'"));
    ++pos_;
  }

  /// An object: fn(key) for each member, with the reader at the member's value, which fn reads.
  template <class Fn>
  void members(Fn&& fn) {
    expect('{');
    if (peek() == '}') {
      ++pos_;
      return;
    }
    while (true) {
      if (peek() != '"') fail("expected a string key");
      std::string key = string();
      expect(':');
      fn(std::move(key));
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      expect('}');
      return;
    }
  }

  /// Duplicate keys, found by sorting (a scan per key would be quadratic in the tensors).
  void unique(std::vector<const std::string*>& keys, const char* where) {
    std::sort(keys.begin(), keys.end(), [](const std::string* a, const std::string* b) { return *a < *b; });
    for (size_t i = 1; i < keys.size(); ++i)
      if (*keys[i] == *keys[i - 1]) fail(detail::cat("duplicate key ", json_string(*keys[i]), " in ", where));
  }

  RawEntry entry(std::string name) {
    RawEntry e;
    e.name = std::move(name);
    const std::string quoted = json_string(e.name);
    if (peek() != '{') fail(detail::cat("tensor ", quoted, " is not an object"));
    std::vector<std::string> others;  // keys ember does not read, for the duplicate check
    auto once = [&](bool& seen, const std::string& key) {
      if (seen) fail(detail::cat("tensor ", quoted, ": duplicate key ", json_string(key)));
      seen = true;
    };
    members([&](std::string key) {
      if (key == "dtype") {
        once(e.has_dtype, key);
        if (peek() != '"') fail(detail::cat("tensor ", quoted, ": dtype is not a string"));
        e.dtype = string();
      } else if (key == "shape") {
        once(e.has_shape, key);
        e.shape = integers(quoted, "shape");
      } else if (key == "data_offsets") {
        once(e.has_offsets, key);
        e.offsets = integers(quoted, "data_offsets");
      } else {
        if (std::find(others.begin(), others.end(), key) != others.end())
          fail(detail::cat("tensor ", quoted, ": duplicate key ", json_string(key)));
        others.push_back(std::move(key));
        skip(2);
      }
    });
    return e;
  }

  std::vector<int64_t> integers(const std::string& quoted, const char* what) {
    std::vector<int64_t> out;
    if (peek() != '[') fail(detail::cat("tensor ", quoted, ": ", what, " is not an array"));
    ++pos_;
    if (peek() == ']') {
      ++pos_;
      return out;
    }
    while (true) {
      const char c = peek();
      if (c != '-' && (c < '0' || c > '9')) fail(detail::cat("tensor ", quoted, ": ", what, " holds a non-integer"));
      out.push_back(integer());
      if (out.size() > 64) fail("array too long");
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      expect(']');
      return out;
    }
  }

  int64_t integer() {
    const bool negative = s_[pos_] == '-';
    if (negative) ++pos_;
    if (pos_ >= s_.size() || s_[pos_] < '0' || s_[pos_] > '9') fail("expected a digit");
    uint64_t v = 0;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
      if (v > (uint64_t(INT64_MAX) - 9) / 10) fail("integer too large");
      v = v * 10 + static_cast<uint64_t>(s_[pos_++] - '0');
    }
    if (pos_ < s_.size() && (s_[pos_] == '.' || s_[pos_] == 'e' || s_[pos_] == 'E')) fail("expected an integer");
    return negative ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
  }

  /// Checks and passes over a value nothing reads (an unknown member of a tensor's entry).
  void skip(int depth) {
    if (depth > 8) fail("nesting too deep");
    const char c = peek();
    if (c == '{') {
      std::vector<std::string> keys;
      members([&](std::string key) {
        if (std::find(keys.begin(), keys.end(), key) != keys.end()) fail(detail::cat("duplicate key ", json_string(key)));
        keys.push_back(std::move(key));
        skip(depth + 1);
      });
    } else if (c == '[') {
      ++pos_;
      if (peek() == ']') {
        ++pos_;
        return;
      }
      for (size_t n = 1;; ++n) {
        skip(depth + 1);
        if (n > 64) fail("array too long");
        if (peek() != ',') break;
        ++pos_;
      }
      expect(']');
    } else if (c == '"') {
      string();
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      integer();
    } else {
      for (const char* word : {"true", "false", "null"})
        if (s_.compare(pos_, std::strlen(word), word) == 0) {
          pos_ += std::strlen(word);
          return;
        }
      fail("unexpected character");
    }
  }

  uint32_t hex4() {
    if (pos_ + 4 > s_.size()) fail("short \\u escape");
    uint32_t code = 0;
    for (int k = 0; k < 4; ++k) {
      const char h = s_[pos_++];
      code <<= 4;
      if (h >= '0' && h <= '9') code |= static_cast<uint32_t>(h - '0');
      else if (h >= 'a' && h <= 'f') code |= static_cast<uint32_t>(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F') code |= static_cast<uint32_t>(h - 'A' + 10);
      else fail("bad \\u escape");
    }
    return code;
  }

  std::string string() {
    expect('"');
    std::string out;
    while (true) {
      // The plain run up to the next quote, escape or control character in one append.
      const size_t start = pos_;
      while (pos_ < s_.size() && s_[pos_] != '"' && s_[pos_] != '\\' && static_cast<unsigned char>(s_[pos_]) >= 0x20)
        ++pos_;
      out.append(s_, start, pos_ - start);
      if (pos_ >= s_.size()) fail("unterminated string");
      const char c = s_[pos_++];
      if (c == '"') return out;
      if (c != '\\') fail("control character in a string");
      if (pos_ >= s_.size()) fail("unterminated escape");
      const char e = s_[pos_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          uint32_t code = hex4();
          if (code >= 0xDC00 && code <= 0xDFFF) fail("lone surrogate in a \\u escape");
          if (code >= 0xD800 && code <= 0xDBFF) {  // a pair makes one character beyond U+FFFF
            if (s_.compare(pos_, 2, "\\u") != 0) fail("lone surrogate in a \\u escape");
            pos_ += 2;
            const uint32_t low = hex4();
            if (low < 0xDC00 || low > 0xDFFF) fail("lone surrogate in a \\u escape");
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
          }
          append_utf8(out, code);
          break;
        }
        default: fail("bad escape");
      }
    }
  }

  const std::string& s_;
  std::string where_;
  size_t pos_ = 0;
};

/// A file descriptor, closed when it goes out of scope.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

bool write_all(int fd, const void* data, size_t n) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t w = ::write(fd, p, std::min(n, kChunk));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

bool read_all(int fd, void* data, size_t n, uint64_t offset) {
  char* p = static_cast<char*>(data);
  while (n > 0) {
    const ssize_t r = ::pread(fd, p, std::min(n, kChunk), static_cast<off_t>(offset));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
    offset += static_cast<uint64_t>(r);
  }
  return true;
}

/// The rename or link that put a file in place survives a crash only once its folder is synced.
void sync_folder(const std::string& dir) {
  Fd d{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (d.fd >= 0) ::fsync(d.fd);
}

std::string temp_name(const std::string& dir_prefix) {
  static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::random_device rd;
  std::string name = dir_prefix + ".ember-save-";
  for (int k = 0; k < 12; ++k) name += digits[rd() % 36];
  return name;
}

#ifdef O_TMPFILE
/// Gives the written unnamed file fd the name path: a link when path does not exist; else a
/// link under a temporary name renamed over path (rename replaces atomically, a link cannot;
/// only a kill between those two calls leaves the temporary name). False when it cannot.
bool link_into_place(int fd, const std::string& dir_prefix, const std::string& path) {
  const std::string self = "/proc/self/fd/" + std::to_string(fd);
  if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, path.c_str(), AT_SYMLINK_FOLLOW) == 0) return true;
  if (errno != EEXIST) return false;
  for (int attempt = 0; attempt < 16; ++attempt) {
    const std::string tmp = temp_name(dir_prefix);
    if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, tmp.c_str(), AT_SYMLINK_FOLLOW) == 0) {
      if (std::rename(tmp.c_str(), path.c_str()) == 0) return true;
      ::unlink(tmp.c_str());
      return false;
    }
    if (errno != EEXIST) return false;
  }
  return false;
}
#endif
}  // namespace

void save_safetensors(const NamedTensors& tensors, const std::string& path,
                      const std::map<std::string, std::string>& metadata) {
  std::map<std::string, std::string> meta = metadata;
  for (const auto& [k, v] : metadata)
    EMBER_CHECK(k.compare(0, kCrcPrefix.size(), kCrcPrefix) != 0, "save: the metadata key ", json_string(k),
                " is reserved for ember's checksums");
  meta[kMetadataCrc] = hex32(metadata_crc(metadata));
  std::vector<Tensor> data;
  std::string entries;
  std::unordered_set<std::string> names;
  int64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    EMBER_CHECK(name != "__metadata__", "save: '__metadata__' is reserved and cannot name a tensor");
    EMBER_CHECK(names.insert(name).second, "save: the name ", json_string(name), " appears twice");
    EMBER_CHECK_RUNTIME(t.device().is_cpu(), "save: only CPU tensors can be saved");
    Tensor c = contiguous(t.detach());
    const char* dtype = format_dtype(c.dtype());
    const std::string desc = describe(dtype, c.sizes());
    meta[kCrcPrefix + name] = hex32(crc32c(crc32c(0, desc.data(), desc.size()), c.raw_data(), static_cast<size_t>(c.nbytes())));
    entries += "," + json_string(name) + ":{\"dtype\":\"" + dtype + "\",\"shape\":" + desc.substr(std::strlen(dtype)) +
               ",\"data_offsets\":[" + std::to_string(offset) + "," + std::to_string(offset + c.nbytes()) + "]}";
    offset += c.nbytes();
    data.push_back(std::move(c));
  }
  std::string header = "{\"__metadata__\":{";
  for (const auto& [k, v] : meta) header += (header.back() == '{' ? "" : ",") + json_string(k) + ":" + json_string(v);
  header += "}" + entries + "}";
  header.append((8 - header.size() % 8) % 8, ' ');  // the data starts 8-byte aligned

  auto fill = [&](int fd) {
    unsigned char len[8];
    for (int k = 0; k < 8; ++k) len[k] = static_cast<unsigned char>(uint64_t{header.size()} >> (8 * k));
    bool ok = write_all(fd, len, 8) && write_all(fd, header.data(), header.size());
    for (const Tensor& t : data) ok = ok && write_all(fd, t.raw_data(), static_cast<size_t>(t.nbytes()));
    return ok && ::fsync(fd) == 0;
  };
  auto cannot_write = [&path](int err) {
    return RuntimeError(detail::cat("save: ", path, ": cannot write the file: ", std::strerror(err)));
  };
  const size_t slash = path.find_last_of('/');
  const std::string dir_prefix = slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
  const std::string dir = dir_prefix.empty() ? "." : dir_prefix;

#ifdef O_TMPFILE
  // An unnamed file in the target's folder: a save killed at any moment leaves nothing.
  {
    Fd out{::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666)};
    if (out.fd >= 0) {
      if (!fill(out.fd)) throw cannot_write(errno);
      if (link_into_place(out.fd, dir_prefix, path)) {
        sync_folder(dir);
        return;
      }
    }
  }  // no O_TMPFILE here (an old kernel, some file systems) or no /proc: a named temporary file
#endif
  std::string tmp = dir_prefix + ".ember-save-XXXXXX";
  Fd out{::mkstemp(tmp.data())};
  EMBER_CHECK_RUNTIME(out.fd >= 0, "save: ", path, ": cannot create a file in ", dir, ": ", std::strerror(errno));
  const mode_t mask = ::umask(0);  // mkstemp makes the file private: give it the usual permissions
  ::umask(mask);
  ::fchmod(out.fd, 0666 & ~mask);
  if (!fill(out.fd) || std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw cannot_write(err);
  }
  sync_folder(dir);
}

Loaded load_safetensors(const std::string& path) {
  auto bad = [&path](const std::string& what) {
    return ValueError(detail::cat("load: ", path, ": not a valid safetensors file: ", what));
  };
  auto cannot_open = [&path](int err) {
    return OSError(err, path, detail::cat("load: ", path, ": cannot open the file: ", std::strerror(err)));
  };
  Fd in{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (in.fd < 0) throw cannot_open(errno);
  struct stat st {};
  if (::fstat(in.fd, &st) != 0) throw cannot_open(errno);
  if (S_ISDIR(st.st_mode)) throw cannot_open(EISDIR);
  const uint64_t size = st.st_size < 0 ? 0 : static_cast<uint64_t>(st.st_size);
  unsigned char len[8];
  if (size < 8 || !read_all(in.fd, len, 8, 0)) throw bad(detail::cat("the file has ", size, " bytes, too few for a header"));
  uint64_t n = 0;
  for (int k = 7; k >= 0; --k) n = n << 8 | len[k];
  if (n > kMaxHeader || n > size - 8)
    throw bad(detail::cat("the header length ", n, " does not fit in the file's ", size, " bytes",
                          len[0] == 0x80 ? " (this looks like a pickle file, which ember never loads)" : ""));
  std::string header(n, '\0');
  if (!read_all(in.fd, header.data(), n, 8)) throw bad("the header is cut short");
  const Header doc = Reader(header, path).header();
  const uint64_t data_size = size - 8 - n;

  struct Entry {
    const std::string* name;
    DType dtype;
    const char* dtype_name;
    Shape shape;
    uint64_t begin, end;
  };
  std::vector<Entry> entries;
  entries.reserve(doc.entries.size());
  std::unordered_map<std::string, uint32_t> crcs;  // ember's checksums, by tensor name
  Loaded out;
  for (const auto& [k, v] : doc.metadata) {
    if (k.compare(0, kCrcPrefix.size(), kCrcPrefix) != 0) out.metadata.emplace(k, v);
    else if (!parse_hex32(v, &crcs[k.substr(kCrcPrefix.size())]))
      throw bad(detail::cat("the checksum ", json_string(k), " is not 8 hex digits"));
  }
  for (const RawEntry& raw : doc.entries) {
    const std::string quoted = json_string(raw.name);
    for (auto [has, key] : {std::pair{raw.has_dtype, "dtype"}, std::pair{raw.has_shape, "shape"},
                              std::pair{raw.has_offsets, "data_offsets"}})
      if (!has) throw bad(detail::cat("tensor ", quoted, " has no ", key));
    const DTypeName* row = parse_dtype(raw.dtype);
    if (!row)
      throw bad(detail::cat("tensor ", quoted, ": unsupported dtype ", json_string(raw.dtype), " (ember reads ",
                            known_dtypes(), ")"));
    Entry e{&raw.name, row->dtype, row->name, {}, 0, 0};
    for (int64_t d : raw.shape) {
      if (d < 0) throw bad(detail::cat("tensor ", quoted, ": shape entries must be non-negative integers"));
      e.shape.push_back(d);
    }
    if (raw.offsets.size() != 2 || raw.offsets[0] < 0 || raw.offsets[1] < raw.offsets[0])
      throw bad(detail::cat("tensor ", quoted, ": data_offsets must be [begin, end] with begin <= end"));
    e.begin = static_cast<uint64_t>(raw.offsets[0]);
    e.end = static_cast<uint64_t>(raw.offsets[1]);
    if (e.end > data_size)
      throw bad(detail::cat("tensor ", quoted, ": bytes ", e.begin, "..", e.end, " lie beyond the ", data_size,
                            " bytes of data (is the file truncated?)"));
    int64_t count = 1;
    for (int64_t d : e.shape)
      if (__builtin_mul_overflow(count, d, &count)) throw bad(detail::cat("tensor ", quoted, ": shape overflows"));
    if (static_cast<uint64_t>(count) * static_cast<uint64_t>(itemsize(e.dtype)) != e.end - e.begin)
      throw bad(detail::cat("tensor ", quoted, ": shape ", shape_str(e.shape), " of ", raw.dtype, " needs ",
                            count * itemsize(e.dtype), " bytes, but its data_offsets hold ", e.end - e.begin));
    entries.push_back(std::move(e));
  }
  // The byte ranges must tile the data exactly: no overlap, no gap, nothing left over.
  std::vector<const Entry*> by_offset;
  by_offset.reserve(entries.size());
  for (const Entry& e : entries) by_offset.push_back(&e);
  std::sort(by_offset.begin(), by_offset.end(), [](const Entry* a, const Entry* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  uint64_t at = 0;
  for (const Entry* e : by_offset) {
    if (e->begin != at)
      throw bad(detail::cat("tensor ", json_string(*e->name), " starts at byte ", e->begin, " of the data, expected ",
                            at, e->begin < at ? " (its bytes overlap another tensor's)" : " (a gap in the data)"));
    at = e->end;
  }
  if (at != data_size) throw bad(detail::cat("the tensors cover ", at, " of the ", data_size, " bytes of data"));

  // Checksums, when the file has them (ember wrote it): all present, all matching.
  const bool checked = !crcs.empty();
  if (checked) {
    auto meta = crcs.find("__metadata__");
    if (meta == crcs.end()) throw bad("the file has ember checksums but none for its metadata (is it corrupt?)");
    if (meta->second != metadata_crc(out.metadata))
      throw bad("the metadata does not match its checksum (the file is corrupt)");
    if (crcs.size() != entries.size() + 1) {
      std::unordered_set<std::string_view> held;
      for (const Entry& e : entries) held.insert(*e.name);
      for (const auto& [name, crc] : crcs)
        if (name != "__metadata__" && !held.count(name))
          throw bad(detail::cat("there is a checksum for a tensor ", json_string(name),
                                " that the file does not hold (is it corrupt?)"));
    }
  }
  out.tensors.reserve(entries.size());
  for (const Entry& e : entries) {
    const std::string& name = *e.name;
    Tensor t = Tensor::empty(e.shape, e.dtype);
    auto* p = static_cast<unsigned char*>(t.raw_data());
    const size_t nbytes = e.end - e.begin;
    uint32_t crc = 0;
    if (checked) {
      const std::string desc = describe(e.dtype_name, e.shape);
      crc = crc32c(0, desc.data(), desc.size());
    }
    if (!read_all(in.fd, p, nbytes, 8 + n + e.begin))
      throw bad(detail::cat("tensor ", json_string(name), ": its bytes cannot be read"));
    if (checked) crc = crc32c(crc, p, nbytes);  // on several threads for a large tensor
    if (checked) {
      auto it = crcs.find(name);
      if (it == crcs.end())
        throw bad(detail::cat("tensor ", json_string(name), " has no checksum though the file has ember checksums "
                              "(is its name corrupt?)"));
      if (it->second != crc)
        throw bad(detail::cat("tensor ", json_string(name), ": its bytes do not match their checksum (the file is "
                              "corrupt)"));
    }
    if (e.dtype == DType::Bool)  // only 0 and 1 are bools
      for (size_t i = 0; i < nbytes; ++i)
        if (p[i] > 1) throw bad(detail::cat("tensor ", json_string(name), ": BOOL byte ", int(p[i]), " is not 0 or 1"));
    out.tensors.emplace_back(name, std::move(t));
  }
  return out;
}

}  // namespace ember
