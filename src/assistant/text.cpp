#include "assistant/text.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <mutex>

#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-page.h>

#include "core/text.h"
#include "lexicon/lexicon.h"

namespace yiwang::assistant::text {
namespace {

bool is_alnum(char32_t c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool ends_sentence(char32_t c) {
  return c == U'。' || c == U'！' || c == U'？' || c == U'；' || c == '!' || c == '?' || c == ';';
}

bool is_chinese_numeral(char32_t c) {
  return std::u32string_view(U"一二三四五六七八九十百零〇").find(c) != std::u32string_view::npos;
}

// Chinese document headings: 第一章 / 第三节, 一、, （一）, 1. / 1、 / 1.2, short and unpunctuated.
bool looks_like_heading(std::u32string_view line) {
  if (line.empty() || line.size() > 40) return false;
  if (ends_sentence(line.back()) || line.back() == U'，' || line.back() == ',') return false;
  std::size_t i = 0;
  if (line[0] == U'第') {
    i = 1;
    while (i < line.size() && (is_chinese_numeral(line[i]) || (line[i] >= '0' && line[i] <= '9')))
      ++i;
    return i > 1 && i < line.size() &&
           std::u32string_view(U"章节篇部编").find(line[i]) != std::u32string_view::npos;
  }
  if (is_chinese_numeral(line[0])) {
    while (i < line.size() && is_chinese_numeral(line[i])) ++i;
    return i < line.size() && line[i] == U'、' && line.size() <= 30;
  }
  if (line[0] == U'（' || line[0] == '(') {
    i = 1;
    while (i < line.size() && is_chinese_numeral(line[i])) ++i;
    return i > 1 && i < line.size() && (line[i] == U'）' || line[i] == ')') && line.size() <= 30;
  }
  if (line[0] >= '0' && line[0] <= '9') {
    while (i < line.size() && ((line[i] >= '0' && line[i] <= '9') || line[i] == '.')) ++i;
    return i < line.size() &&
           (line[i] == U'、' || line[i] == ' ' || (line[i - 1] == '.' && i > 1)) &&
           line.size() <= 30 && i < line.size() && !(line[i] >= '0' && line[i] <= '9');
  }
  return false;
}

std::string decode_entities(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    auto semi = s.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) {
      out += '&';
      continue;
    }
    std::string_view name = s.substr(i + 1, semi - i - 1);
    char32_t c = 0;
    if (name == "amp")
      c = '&';
    else if (name == "lt")
      c = '<';
    else if (name == "gt")
      c = '>';
    else if (name == "quot")
      c = '"';
    else if (name == "apos")
      c = '\'';
    else if (name == "nbsp")
      c = ' ';
    else if (!name.empty() && name[0] == '#') {
      try {
        c = static_cast<char32_t>(name.size() > 1 && (name[1] == 'x' || name[1] == 'X')
                                      ? std::stoul(std::string(name.substr(2)), nullptr, 16)
                                      : std::stoul(std::string(name.substr(1))));
      } catch (const std::exception&) {
        c = 0;
      }
      if (c == 0 || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF) || (c < 0x20 && c != '\n')) c = 0;
    }
    if (c == 0) {
      out += '&';
      continue;
    }
    out += encode(std::u32string(1, c));
    i = semi;
  }
  return out;
}

std::string lower_ascii(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

Result<Extracted> from_html(std::string_view html) {
  std::string out;
  std::string title;
  std::size_t i = 0;
  while (i < html.size()) {
    if (html[i] != '<') {
      auto next = html.find('<', i);
      if (next == std::string_view::npos) next = html.size();
      out += decode_entities(html.substr(i, next - i));
      i = next;
      continue;
    }
    if (html.substr(i, 4) == "<!--") {
      auto end = html.find("-->", i + 4);
      i = end == std::string_view::npos ? html.size() : end + 3;
      continue;
    }
    auto close = html.find('>', i);
    if (close == std::string_view::npos) {
      return fail(ErrorCode::invalid_input, "/content", "HTML 标签未闭合", "unterminated HTML tag");
    }
    std::string tag = lower_ascii(std::string(html.substr(i + 1, close - i - 1)));
    bool end_tag = !tag.empty() && tag[0] == '/';
    std::string name = tag.substr(end_tag ? 1 : 0);
    name = name.substr(0, name.find_first_of(" \t\r\n/"));
    i = close + 1;
    if (!end_tag && (name == "script" || name == "style" || name == "title")) {
      auto end = lower_ascii(std::string(html.substr(i))).find("</" + name);
      std::size_t stop = end == std::string::npos ? html.size() : i + end;
      if (name == "title") title = trim(decode_entities(html.substr(i, stop - i)));
      auto gt = html.find('>', stop);
      i = gt == std::string_view::npos ? html.size() : gt + 1;
      continue;
    }
    if (name.size() == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6') {
      out += end_tag ? "\n" : "\n# ";
    } else if (name == "p" || name == "br" || name == "div" || name == "li" || name == "tr" ||
               name == "section" || name == "article" || name == "table" || name == "ul" ||
               name == "ol") {
      out += "\n";
    }
  }
  Extracted e;
  e.text = out;
  e.title = title;
  return e;
}

std::string from_markdown_line(std::string_view line) {
  std::string out;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == '*' || c == '_' || c == '`') continue;
    if (c == '!' && i + 1 < line.size() && line[i + 1] == '[') continue;
    if (c == '[') {
      auto close = line.find("](", i);
      auto end = close == std::string_view::npos ? close : line.find(')', close);
      if (end != std::string_view::npos) {
        out += line.substr(i + 1, close - i - 1);
        i = end;
        continue;
      }
    }
    out += c;
  }
  return out;
}

Result<Extracted> from_pdf(std::string_view pdf) {
  static std::once_flag quiet;
  std::call_once(
      quiet, [] { poppler::set_debug_error_function([](const std::string&, void*) {}, nullptr); });
  std::unique_ptr<poppler::document> doc(
      poppler::document::load_from_raw_data(pdf.data(), static_cast<int>(pdf.size())));
  if (!doc) {
    return fail(ErrorCode::invalid_input, "/content", "无法解析 PDF 文件",
                "the PDF cannot be parsed");
  }
  if (doc->is_locked()) {
    return fail(ErrorCode::invalid_input, "/content", "PDF 文件已加密", "the PDF is encrypted");
  }
  Extracted e;
  for (int p = 0; p < doc->pages(); ++p) {
    std::unique_ptr<poppler::page> page(doc->create_page(p));
    if (!page) continue;
    auto bytes = page->text().to_utf8();
    e.text.append(bytes.begin(), bytes.end());
    e.text += "\n";
  }
  auto info = doc->info_key("Title").to_utf8();
  e.title = trim(std::string(info.begin(), info.end()));
  if (!valid_utf8(e.title)) e.title.clear();
  return e;
}

}  // namespace

bool has_controls(std::string_view s) {
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) return true;
  }
  return false;
}

std::string normalize(std::string_view s) {
  return lexicon::normalize(s);
}

std::string trim(std::string_view s) {
  std::string out = core::trim(s);
  // Ideographic spaces at the ends too.
  const std::string ideo = "\u3000";
  while (out.rfind(ideo, 0) == 0) out.erase(0, ideo.size());
  while (out.size() >= ideo.size() && out.compare(out.size() - ideo.size(), ideo.size(), ideo) == 0)
    out.erase(out.size() - ideo.size());
  return out;
}

std::string clip(std::string_view s, std::size_t max) {
  auto u = decode(s);
  if (u.size() <= max) return std::string(s);
  return encode(u.substr(0, max)) + "…";
}

std::vector<Term> terms(std::string_view normalized) {
  std::vector<Term> out;
  std::u32string u = decode(normalized);
  std::size_t i = 0;
  while (i < u.size()) {
    if (core::is_han(u[i])) {
      std::size_t j = i;
      while (j < u.size() && core::is_han(u[j])) ++j;
      for (std::size_t k = i; k < j; ++k) {
        out.push_back({encode(u.substr(k, 1)), true});
        if (k + 1 < j) out.push_back({encode(u.substr(k, 2)), false});
      }
      i = j;
    } else if (is_alnum(u[i])) {
      std::size_t j = i;
      while (j < u.size() && is_alnum(u[j])) ++j;
      std::string t = lower_ascii(encode(u.substr(i, j - i)));
      if (t.size() <= 64) out.push_back({t, false});
      i = j;
    } else {
      ++i;
    }
  }
  return out;
}

std::vector<std::string> sentences(std::string_view s) {
  std::vector<std::string> out;
  std::u32string u = decode(s);
  std::u32string cur;
  auto flush = [&] {
    auto t = trim(encode(cur));
    if (!t.empty()) out.push_back(t);
    cur.clear();
  };
  for (std::size_t i = 0; i < u.size(); ++i) {
    if (u[i] == '\n') {
      flush();
      continue;
    }
    cur += u[i];
    if (ends_sentence(u[i])) {
      // Keep closing quotes with their sentence.
      while (i + 1 < u.size() && (u[i + 1] == U'”' || u[i + 1] == U'’' || u[i + 1] == U'」'))
        cur += u[++i];
      flush();
    }
  }
  flush();
  return out;
}

Format detect_format(std::string_view content) {
  if (content.substr(0, 5) == "%PDF-") return Format::pdf;
  auto head = lower_ascii(std::string(content.substr(0, 512)));
  auto b = head.find_first_not_of(" \t\r\n");
  if (b != std::string::npos &&
      (head.compare(b, 9, "<!doctype") == 0 || head.compare(b, 5, "<html") == 0)) {
    return Format::html;
  }
  if (b != std::string::npos && head[b] == '#') return Format::markdown;
  return Format::text;
}

namespace {

// Markdown to the extracted form: headings as "# " lines, list and quote markers dropped, fenced
// code kept as text.
std::string from_markdown(std::string_view content) {
  std::string out;
  std::size_t start = 0;
  bool fence = false;
  while (start <= content.size()) {
    auto end = content.find('\n', start);
    if (end == std::string_view::npos) end = content.size();
    std::string_view line = content.substr(start, end - start);
    if (line.substr(0, 3) == "```") {
      fence = !fence;
    } else if (line.find_first_not_of("#") != 0 && !fence && !line.empty() && line[0] == '#') {
      auto t = line.find_first_not_of("# ");
      out += "# " +
             (t == std::string_view::npos ? std::string() : from_markdown_line(line.substr(t))) +
             "\n";
    } else {
      auto t = line.find_first_not_of(" \t");
      if (t != std::string_view::npos &&
          (line.substr(t, 2) == "- " || line.substr(t, 2) == "* " || line.substr(t, 2) == "> ")) {
        line = line.substr(t + 2);
      }
      out += from_markdown_line(line) + "\n";
    }
    start = end + 1;
  }
  return out;
}

// The text of a non-PDF document in `format`: valid UTF-8 without NUL bytes.
Result<Extracted> from_text(Format format, std::string_view content) {
  if (!valid_utf8(content)) {
    return fail(ErrorCode::invalid_input, "/content", "文本不是有效的 UTF-8 编码",
                "the text is not valid UTF-8");
  }
  if (content.find('\0') != std::string_view::npos) {
    return fail(ErrorCode::invalid_input, "/content", "文本含有二进制数据",
                "the text contains binary data");
  }
  if (format == Format::html) return from_html(content);
  Extracted e;
  e.text = format == Format::markdown ? from_markdown(content) : std::string(content);
  return e;
}

// Control characters other than newlines as spaces or newlines (PDF text layers carry form feeds).
std::string without_controls(const std::string& text) {
  std::string clean;
  clean.reserve(text.size());
  for (char c : text) {
    auto uc = static_cast<unsigned char>(c);
    clean += (uc < 0x20 && c != '\n') || uc == 0x7F
                 ? (c == '\t' || c == '\f' || c == '\r' ? ' ' : '\n')
                 : c;
  }
  return clean;
}

// The first non-empty line (without its "# "), at most 100 characters; "" when none.
std::string first_line(const std::string& text) {
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    auto line = trim(std::string_view(text).substr(start, end - start));
    if (line.rfind("# ", 0) == 0) line = trim(line.substr(2));
    if (!line.empty()) return clip(line, 100);
    start = end + 1;
  }
  return "";
}

}  // namespace

Result<Extracted> extract(Format format, std::string_view content) {
  if (content.empty()) {
    return fail(ErrorCode::invalid_input, "/content", "文件内容为空", "the content is empty");
  }
  Extracted e;
  if (format == Format::pdf) {
    if (content.substr(0, 5) != "%PDF-") {
      return fail(ErrorCode::invalid_input, "/content", "不是 PDF 文件", "not a PDF file");
    }
    auto pdf = from_pdf(content);
    if (!pdf) return pdf;
    e = std::move(*pdf);
  } else {
    auto text = from_text(format, content);
    if (!text) return text;
    e = std::move(*text);
  }
  if (!valid_utf8(e.text)) {
    return fail(ErrorCode::invalid_input, "/content", "提取的文本不是有效的 UTF-8 编码",
                "the extracted text is not valid UTF-8");
  }
  if (e.text.size() > kMaxDocumentTextBytes) {
    return fail(ErrorCode::too_large, "/content", "文档文本过长", "the document text is too long");
  }
  e.text = without_controls(e.text);
  std::size_t cjk_or_alnum = 0;
  for (char32_t c : decode(e.text)) cjk_or_alnum += core::is_han(c) || is_alnum(c);
  if (cjk_or_alnum < 2) {
    return fail(ErrorCode::invalid_input, "/content",
                format == Format::pdf ? "PDF 没有可提取的文字层" : "文档中没有可检索的文字",
                format == Format::pdf ? "the PDF has no text layer" : "the document has no text");
  }
  if (e.title.empty()) e.title = first_line(e.text);
  return e;
}

std::vector<Passage> split(std::string_view extracted) {
  constexpr std::size_t kTarget = 200;  // code points
  constexpr std::size_t kMax = 320;
  std::vector<Passage> out;
  std::string section;
  std::u32string cur;
  std::string cur_section;
  auto flush = [&] {
    auto t = trim(encode(cur));
    if (!t.empty()) out.push_back({"", static_cast<int>(out.size()), cur_section, t});
    cur.clear();
  };
  auto add_paragraph = [&](const std::u32string& para) {
    if (cur.empty()) cur_section = section;
    if (!cur.empty() && cur.size() + para.size() > kMax) flush();
    if (cur.empty()) cur_section = section;
    if (para.size() <= kMax) {
      if (!cur.empty()) cur += U'\n';
      cur += para;
    } else {
      for (const auto& s : sentences(encode(para))) {
        auto us = decode(s);
        if (!cur.empty() && cur.size() + us.size() > kMax) flush();
        if (cur.empty()) cur_section = section;
        cur += us.substr(0, kMax * 2);
      }
    }
    if (cur.size() >= kTarget) flush();
  };
  std::size_t start = 0;
  while (start < extracted.size()) {
    auto end = extracted.find('\n', start);
    if (end == std::string_view::npos) end = extracted.size();
    std::string line = trim(extracted.substr(start, end - start));
    start = end + 1;
    if (line.empty()) continue;
    std::u32string u = decode(line);
    if (line.rfind("# ", 0) == 0 || looks_like_heading(u)) {
      flush();
      section = clip(line.rfind("# ", 0) == 0 ? trim(line.substr(2)) : line, 60);
      continue;
    }
    add_paragraph(u);
  }
  flush();
  return out;
}

}  // namespace yiwang::assistant::text
