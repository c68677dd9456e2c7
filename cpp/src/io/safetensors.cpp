// The safetensors format: [u64 little-endian N][N bytes of JSON header][data]. The header maps
// each name to {"dtype", "shape", "data_offsets": [begin, end]} (offsets into the data) and may
// hold "__metadata__": {string: string}. Reading trusts nothing: the header is parsed by a small
// JSON reader of our own and every range is checked against the file before a byte is copied.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "ember/ops.h"
#include "ember/serialize.h"

namespace ember {

namespace {
constexpr uint64_t kMaxHeader = 100u << 20;  // as the safetensors library

/// The safetensors name of each dtype, indexed by DType.
const char* const kFormatDTypes[kNumDTypes] = {"BOOL", "I64", "F32", "F64", "U8", "I8", "I16", "I32", "F16", "BF16"};

const char* format_dtype(DType t) { return kFormatDTypes[static_cast<int>(t)]; }

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

// ---- a JSON reader for the header: objects, arrays, strings, integers (nothing else is needed)
struct Json {
  enum Kind { Object, Array, String, Integer, Other } kind = Other;
  std::vector<std::pair<std::string, Json>> members;  // objects, in order
  std::vector<Json> items;                             // arrays
  std::string text;                                    // strings
  int64_t number = 0;                                  // integers
};

class Reader {
 public:
  Reader(const std::string& s, const std::string& where) : s_(s), where_(where) {}

  Json document() {
    Json j = value(0);
    skip_space();
    if (pos_ != s_.size()) fail("trailing characters after the header's JSON");
    return j;
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

  Json value(int depth) {
    if (depth > 8) fail("nesting too deep");
    const char c = peek();
    Json j;
    if (c == '{') {
      j.kind = Json::Object;
      ++pos_;
      if (peek() == '}') {
        ++pos_;
        return j;
      }
      while (true) {
        if (peek() != '"') fail("expected a string key");
        std::string key = string();
        for (const auto& m : j.members)
          if (m.first == key) fail(detail::cat("duplicate key ", json_string(key)));
        expect(':');
        j.members.emplace_back(std::move(key), value(depth + 1));
        if (peek() == ',') {
          ++pos_;
          continue;
        }
        expect('}');
        return j;
      }
    }
    if (c == '[') {
      j.kind = Json::Array;
      ++pos_;
      if (peek() == ']') {
        ++pos_;
        return j;
      }
      while (true) {
        j.items.push_back(value(depth + 1));
        if (j.items.size() > 64) fail("array too long");
        if (peek() == ',') {
          ++pos_;
          continue;
        }
        expect(']');
        return j;
      }
    }
    if (c == '"') {
      j.kind = Json::String;
      j.text = string();
      return j;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      j.kind = Json::Integer;
      const bool negative = c == '-';
      if (negative) ++pos_;
      if (pos_ >= s_.size() || s_[pos_] < '0' || s_[pos_] > '9') fail("expected a digit");
      uint64_t v = 0;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
        if (v > (uint64_t(INT64_MAX) - 9) / 10) fail("integer too large");
        v = v * 10 + static_cast<uint64_t>(s_[pos_++] - '0');
      }
      if (pos_ < s_.size() && (s_[pos_] == '.' || s_[pos_] == 'e' || s_[pos_] == 'E')) fail("expected an integer");
      j.number = negative ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
      return j;
    }
    for (const char* word : {"true", "false", "null"})
      if (s_.compare(pos_, std::strlen(word), word) == 0) {
        pos_ += std::strlen(word);
        return j;
      }
    fail("unexpected character");
  }

  std::string string() {
    expect('"');
    std::string out;
    while (true) {
      if (pos_ >= s_.size()) fail("unterminated string");
      const char c = s_[pos_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) fail("control character in a string");
      if (c != '\\') {
        out += c;
        continue;
      }
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
          if (pos_ + 4 > s_.size()) fail("short \\u escape");
          unsigned code = 0;
          for (int k = 0; k < 4; ++k) {
            const char h = s_[pos_++];
            code <<= 4;
            if (h >= '0' && h <= '9') code |= static_cast<unsigned>(h - '0');
            else if (h >= 'a' && h <= 'f') code |= static_cast<unsigned>(h - 'a' + 10);
            else if (h >= 'A' && h <= 'F') code |= static_cast<unsigned>(h - 'A' + 10);
            else fail("bad \\u escape");
          }
          // UTF-8 (surrogate pairs are kept as two 3-byte sequences: names rarely need them)
          if (code < 0x80) {
            out += static_cast<char>(code);
          } else if (code < 0x800) {
            out += static_cast<char>(0xC0 | (code >> 6));
            out += static_cast<char>(0x80 | (code & 0x3F));
          } else {
            out += static_cast<char>(0xE0 | (code >> 12));
            out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (code & 0x3F));
          }
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

struct File {
  std::FILE* f = nullptr;
  ~File() {
    if (f) std::fclose(f);
  }
};
}  // namespace

void save_safetensors(const NamedTensors& tensors, const std::string& path,
                      const std::map<std::string, std::string>& metadata) {
  std::string header = "{";
  bool first = true;
  if (!metadata.empty()) {
    header += "\"__metadata__\":{";
    for (const auto& [k, v] : metadata) {
      if (!first) header += ",";
      first = false;
      header += json_string(k) + ":" + json_string(v);
    }
    header += "}";
  }
  std::vector<Tensor> data;
  int64_t offset = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const auto& [name, t] = tensors[i];
    EMBER_CHECK(name != "__metadata__", "save: '__metadata__' is reserved and cannot name a tensor");
    for (size_t j = 0; j < i; ++j)
      EMBER_CHECK(tensors[j].first != name, "save: the name ", json_string(name), " appears twice");
    EMBER_CHECK_RUNTIME(t.device().is_cpu(), "save: only CPU tensors can be saved");
    Tensor c = contiguous(t.detach());
    header += std::string(metadata.empty() && i == 0 ? "" : ",") + json_string(name) + ":{\"dtype\":\"" +
              format_dtype(c.dtype()) + "\",\"shape\":[";
    for (int64_t d = 0; d < c.dim(); ++d) header += (d ? "," : "") + std::to_string(c.sizes()[d]);
    header += "],\"data_offsets\":[" + std::to_string(offset) + "," + std::to_string(offset + c.nbytes()) + "]}";
    offset += c.nbytes();
    data.push_back(std::move(c));
  }
  header += "}";
  header.append((8 - header.size() % 8) % 8, ' ');  // the data starts 8-byte aligned

  // Atomic: a temporary file beside the target, flushed to disk, then renamed over it.
  const size_t slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  std::string tmp = (slash == std::string::npos ? std::string() : dir) + ".ember-save-XXXXXX";
  std::vector<char> tmpl(tmp.begin(), tmp.end());
  tmpl.push_back('\0');
  const int fd = mkstemp(tmpl.data());
  EMBER_CHECK_RUNTIME(fd >= 0, "save: ", path, ": cannot create a file in ", dir, ": ", std::strerror(errno));
  tmp = tmpl.data();
  const mode_t mask = umask(0);  // mkstemp makes the file private: give it the usual permissions
  umask(mask);
  fchmod(fd, 0666 & ~mask);
  bool ok = false;
  {
    File out{fdopen(fd, "wb")};
    if (out.f) {
      const uint64_t n = header.size();
      unsigned char len[8];
      for (int k = 0; k < 8; ++k) len[k] = static_cast<unsigned char>(n >> (8 * k));
      ok = std::fwrite(len, 1, 8, out.f) == 8 && std::fwrite(header.data(), 1, n, out.f) == n;
      for (const Tensor& t : data)
        ok = ok && std::fwrite(t.raw_data(), 1, static_cast<size_t>(t.nbytes()), out.f) == static_cast<size_t>(t.nbytes());
      ok = ok && std::fflush(out.f) == 0 && fsync(fileno(out.f)) == 0;
    } else {
      close(fd);
    }
  }
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    std::remove(tmp.c_str());
    throw RuntimeError(detail::cat("save: ", path, ": cannot write the file: ", std::strerror(err)));
  }
}

Loaded load_safetensors(const std::string& path) {
  auto bad = [&path](const std::string& what) {
    return ValueError(detail::cat("load: ", path, ": not a valid safetensors file: ", what));
  };
  File in{std::fopen(path.c_str(), "rb")};
  const auto cannot_open = [&path](int err) {
    return OSError(err, path, detail::cat("load: ", path, ": cannot open the file: ", std::strerror(err)));
  };
  if (!in.f) throw cannot_open(errno);
  struct stat st {};
  if (fstat(fileno(in.f), &st) == 0 && S_ISDIR(st.st_mode)) throw cannot_open(EISDIR);
  std::fseek(in.f, 0, SEEK_END);
  const long size_l = std::ftell(in.f);
  std::fseek(in.f, 0, SEEK_SET);
  const uint64_t size = size_l < 0 ? 0 : static_cast<uint64_t>(size_l);
  unsigned char len[8];
  if (size < 8 || std::fread(len, 1, 8, in.f) != 8) throw bad(detail::cat("the file has ", size, " bytes, too few for a header"));
  uint64_t n = 0;
  for (int k = 7; k >= 0; --k) n = n << 8 | len[k];
  if (n > kMaxHeader || n > size - 8)
    throw bad(detail::cat("the header length ", n, " does not fit in the file's ", size, " bytes",
                          len[0] == 0x80 ? " (this looks like a pickle file, which ember never loads)" : ""));
  std::string header(n, '\0');
  if (std::fread(header.data(), 1, n, in.f) != n) throw bad("the header is cut short");
  const Json doc = Reader(header, path).document();
  if (doc.kind != Json::Object) throw bad("the header is not a JSON object");
  const uint64_t data_size = size - 8 - n;

  struct Entry {
    std::string name;
    DType dtype;
    Shape shape;
    uint64_t begin, end;
  };
  std::vector<Entry> entries;
  Loaded out;
  for (const auto& [name, v] : doc.members) {
    if (name == "__metadata__") {
      if (v.kind != Json::Object) throw bad("__metadata__ is not an object");
      for (const auto& [k, s] : v.members) {
        if (s.kind != Json::String) throw bad(detail::cat("metadata value of ", json_string(k), " is not a string"));
        out.metadata[k] = s.text;
      }
      continue;
    }
    auto field = [&](const char* key) -> const Json& {
      if (v.kind == Json::Object)
        for (const auto& m : v.members)
          if (m.first == key) return m.second;
      throw bad(detail::cat("tensor ", json_string(name), " has no ", key));
    };
    const Json& dt = field("dtype");
    const Json& shape = field("shape");
    const Json& offsets = field("data_offsets");
    Entry e{name, DType::Float32, {}, 0, 0};
    if (dt.kind != Json::String) throw bad(detail::cat("tensor ", json_string(name), ": dtype is not a string"));
    const char* const* known = std::find(kFormatDTypes, kFormatDTypes + kNumDTypes, dt.text);
    if (known == kFormatDTypes + kNumDTypes)
      throw bad(detail::cat("tensor ", json_string(name), ": unsupported dtype ", json_string(dt.text),
                            " (ember reads BOOL, U8, I8, I16, I32, I64, F16, BF16, F32 and F64)"));
    e.dtype = static_cast<DType>(known - kFormatDTypes);
    if (shape.kind != Json::Array) throw bad(detail::cat("tensor ", json_string(name), ": shape is not an array"));
    for (const Json& d : shape.items) {
      if (d.kind != Json::Integer || d.number < 0)
        throw bad(detail::cat("tensor ", json_string(name), ": shape entries must be non-negative integers"));
      e.shape.push_back(d.number);
    }
    if (offsets.kind != Json::Array || offsets.items.size() != 2 || offsets.items[0].kind != Json::Integer ||
        offsets.items[1].kind != Json::Integer || offsets.items[0].number < 0 ||
        offsets.items[1].number < offsets.items[0].number)
      throw bad(detail::cat("tensor ", json_string(name), ": data_offsets must be [begin, end] with begin <= end"));
    e.begin = static_cast<uint64_t>(offsets.items[0].number);
    e.end = static_cast<uint64_t>(offsets.items[1].number);
    if (e.end > data_size)
      throw bad(detail::cat("tensor ", json_string(name), ": bytes ", e.begin, "..", e.end, " lie beyond the ",
                            data_size, " bytes of data (is the file truncated?)"));
    int64_t count = 1;
    for (int64_t d : e.shape)
      if (__builtin_mul_overflow(count, d, &count)) throw bad(detail::cat("tensor ", json_string(name), ": shape overflows"));
    if (static_cast<uint64_t>(count) * static_cast<uint64_t>(itemsize(e.dtype)) != e.end - e.begin)
      throw bad(detail::cat("tensor ", json_string(name), ": shape ", shape_str(e.shape), " of ", dt.text, " needs ",
                            count * itemsize(e.dtype), " bytes, but its data_offsets hold ", e.end - e.begin));
    entries.push_back(std::move(e));
  }
  // The byte ranges must tile the data exactly: no overlap, no gap, nothing left over.
  std::vector<const Entry*> by_offset;
  for (const Entry& e : entries) by_offset.push_back(&e);
  std::sort(by_offset.begin(), by_offset.end(), [](const Entry* a, const Entry* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  uint64_t at = 0;
  for (const Entry* e : by_offset) {
    if (e->begin != at)
      throw bad(detail::cat("tensor ", json_string(e->name), " starts at byte ", e->begin, " of the data, expected ", at,
                            e->begin < at ? " (its bytes overlap another tensor's)" : " (a gap in the data)"));
    at = e->end;
  }
  if (at != data_size) throw bad(detail::cat("the tensors cover ", at, " of the ", data_size, " bytes of data"));

  for (const Entry& e : entries) {
    Tensor t = Tensor::empty(e.shape, e.dtype);
    if (std::fseek(in.f, static_cast<long>(8 + n + e.begin), SEEK_SET) != 0 ||
        std::fread(t.raw_data(), 1, e.end - e.begin, in.f) != e.end - e.begin)
      throw bad(detail::cat("tensor ", json_string(e.name), ": its bytes cannot be read"));
    if (e.dtype == DType::Bool) {  // only 0 and 1 are bools
      const unsigned char* p = static_cast<const unsigned char*>(t.raw_data());
      for (int64_t i = 0; i < t.numel(); ++i)
        if (p[i] > 1) throw bad(detail::cat("tensor ", json_string(e.name), ": BOOL byte ", int(p[i]), " is not 0 or 1"));
    }
    out.tensors.emplace_back(e.name, std::move(t));
  }
  return out;
}

}  // namespace ember
