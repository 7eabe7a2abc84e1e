// A printable certificate: one hand-written PDF 1.4 page with the catalog fields and a QR code.
//
// No PDF library: the page is a handful of objects. Chinese text uses the predefined CJK font
// resource STSong-Light with the UniGB-UCS2-H CMap (Adobe-GB1), which PDF readers supply
// themselves, so nothing is embedded and the file stays a few kilobytes. The QR code is drawn as
// filled rectangles (one per horizontal run of dark modules), so it prints sharply at any size.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <qrencode.h>
#include <nlohmann/json.hpp>

#include "certificates/internal.h"
#include "core/names.h"
#include "identity/identity.h"

namespace yiwang::certificates::detail {

std::u16string utf16(std::string_view s) {
  std::u16string out;
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    char32_t cp = 0xFFFD;
    std::size_t len = 1;
    if (c < 0x80) {
      cp = c;
    } else if ((c >> 5) == 0x6 && i + 1 < s.size()) {
      cp = ((c & 0x1F) << 6) | (s[i + 1] & 0x3F);
      len = 2;
    } else if ((c >> 4) == 0xE && i + 2 < s.size()) {
      cp = ((c & 0x0F) << 12) | ((s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F);
      len = 3;
    } else if ((c >> 3) == 0x1E && i + 3 < s.size()) {
      cp = 0xFFFD;  // outside the BMP: UCS-2 CMaps cannot address it
      len = 4;
    }
    out.push_back(static_cast<char16_t>(cp));
    i += len;
  }
  return out;
}

namespace {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  std::string s = buf;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

// Half-width for the ASCII range (CIDs 1–95 of Adobe-GB1 are proportional Latin), full otherwise.
double text_width(std::string_view utf8, double size) {
  double w = 0;
  for (char16_t u : utf16(utf8)) w += (u < 0x80 ? 0.5 : 1.0) * size;
  return w;
}

std::string hex_text(std::string_view utf8) {
  static const char* digits = "0123456789ABCDEF";
  std::string out = "<";
  for (char16_t u : utf16(utf8)) {
    for (int shift : {12, 8, 4, 0}) out += digits[(u >> shift) & 0xF];
  }
  return out + ">";
}

std::string text(double size, double x, double y, std::string_view utf8) {
  return "BT /F1 " + num(size) + " Tf " + num(x) + " " + num(y) + " Td " + hex_text(utf8) +
         " Tj ET\n";
}

constexpr auto kStatusZh =
    core::enum_names<CertificateStatus>("有效", "暂停使用", "已吊销", "已过期");

struct QrDeleter {
  void operator()(QRcode* q) const { QRcode_free(q); }
};

constexpr double kPageW = 595;  // A4 width in points (the page is 842 high)

// The frame, the title and the catalog fields (as many as fit above the QR code).
std::string certificate_text(const Certificate& c) {
  std::string content;
  content += "q 0.6 0 0 RG 2 w 28 28 539 786 re S 0.5 w 34 34 527 774 re S Q\n";
  const std::string title = c.name.empty() ? c.type_name : c.name;
  content += text(26, (kPageW - text_width(title, 26)) / 2, 740, title);
  const std::string sub = "电子证照 Electronic Certificate";
  content += text(11, (kPageW - text_width(sub, 11)) / 2, 718, sub);

  std::vector<std::pair<std::string, std::string>> fields = {
      {"证照编号", c.number},
      {"持证主体", c.holder_name},
      {c.holder_id_type == "001" ? "统一社会信用代码" : "公民身份号码", c.holder_id},
      {"发证机关", c.issuer_name},
      {"发证机关代码", c.issuer_uscc},
      {"颁证日期", c.issue_date},
      {"有效期限", c.valid_from + " 至 " + (c.valid_to.empty() ? "长期" : c.valid_to)},
      {"行政区划", c.division_code},
      {"证照状态", std::string(kStatusZh.name(c.status))},
  };
  auto data = nlohmann::json::parse(c.data_json.empty() ? "{}" : c.data_json, nullptr, false);
  if (data.is_object()) {
    for (const auto& [k, v] : data.items()) {
      fields.emplace_back(k == "item_name" ? "办理事项" : k,
                          v.is_string() ? v.get<std::string>() : v.dump());
    }
  }
  double y = 670;
  for (const auto& [label, value] : fields) {
    if (y < 300) break;  // the QR code and identifier own the bottom of the page
    content += text(13, 70, y, label);
    content += text(13, 200, y, value);
    y -= 26;
  }
  content += text(9, 70, 250, "证照标识 (GB/T 36904)");
  content += text(9, 70, 236, c.identifier);
  if (c.status != CertificateStatus::valid) {
    content += "q 0.8 0 0 rg\n" + text(36, 360, 300, std::string(kStatusZh.name(c.status))) + "Q\n";
  }
  return content;
}

// The QR code at the bottom right: 3 pt modules with the 4-module quiet zone left white by the
// page, and its caption.
// Calls fn(row, col, length) for each horizontal run of dark modules.
template <class Fn>
void for_each_run(const QRcode& qr, Fn fn) {
  const int w = qr.width;
  for (int row = 0; row < w; ++row) {
    for (int col = 0; col < w;) {
      if (!(qr.data[row * w + col] & 1)) {
        ++col;
        continue;
      }
      int end = col;
      while (end < w && (qr.data[row * w + end] & 1)) ++end;
      fn(row, col, end - col);
      col = end;
    }
  }
}

std::string qr_drawing(const QRcode& qr) {
  const double module = 3;
  const double size = qr.width * module;
  const double qx = kPageW - 70 - size, qy = 70;
  std::string content = "q 0 0 0 rg\n";
  for_each_run(qr, [&](int row, int col, int length) {
    content += num(qx + col * module) + " " + num(qy + size - (row + 1) * module) + " " +
               num(length * module) + " " + num(module) + " re\n";
  });
  content += "f Q\n";
  const std::string caption = "扫码核验 Scan to verify";
  content += text(9, qx + (size - text_width(caption, 9)) / 2, qy - 14, caption);
  return content;
}

// The PDF file of one page with `content`: catalog, page, content stream, font; xref; trailer.
std::string pdf_file(const std::string& content) {
  std::vector<std::string> objects = {
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R "
      ">> >> /Contents 4 0 R >>",
      "<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "endstream",
      "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
      "/DescendantFonts [6 0 R] >>",
      "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << "
      "/Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 7 0 R /DW 1000 "
      "/W [1 95 500] >>",
      "<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] "
      "/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
  };
  std::string out = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(out.size());
    out += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  const std::size_t xref = out.size();
  out += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (std::size_t off : offsets) {
    char line[24];
    std::snprintf(line, sizeof line, "%010zu 00000 n \n", off);
    out += line;
  }
  out += "trailer\n<< /Size " + std::to_string(objects.size() + 1) +
         " /Root 1 0 R >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
  return out;
}

}  // namespace

Result<std::string> qr_svg(const std::string& text) {
  std::unique_ptr<QRcode, QrDeleter> qr(
      QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_L, QR_MODE_8, 1));
  if (!qr) {
    return fail(ErrorCode::invalid_input, "", "内容过长，无法生成二维码",
                "the text does not fit a QR code");
  }
  constexpr int kQuiet = 4;  // modules of white margin, as the standard asks
  const int size = qr->width + 2 * kQuiet;
  std::string path;
  for_each_run(*qr, [&](int row, int col, int length) {
    path += "M" + std::to_string(col + kQuiet) + " " + std::to_string(row + kQuiet) + "h" +
            std::to_string(length) + "v1h-" + std::to_string(length) + "z";
  });
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + std::to_string(size) + " " +
         std::to_string(size) + "\" shape-rendering=\"crispEdges\" role=\"img\">" +
         "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path fill=\"#000\" d=\"" + path +
         "\"/></svg>";
}

Result<std::string> render_pdf(const Certificate& c, const std::string& verify_url) {
  std::unique_ptr<QRcode, QrDeleter> qr(
      QRcode_encodeString(verify_url.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1));
  if (!qr)
    return fail(ErrorCode::invalid_input, "", "核验地址过长，无法生成二维码",
                "verification URL does not fit a QR code");
  return pdf_file(certificate_text(c) + qr_drawing(*qr));
}

}  // namespace yiwang::certificates::detail
