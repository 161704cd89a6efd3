// SPDX-License-Identifier: GPL-2.0-or-later
// Reading nft's listing text back (see nft_listing.h). nft indents with one tab per level, which tells a table
// line from a chain line from a rule line without a grammar.
#include "server/firewall/nft_listing.h"

#include <algorithm>
#include <charconv>

namespace sesame::server::firewall {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

std::string_view next_word(std::string_view& text) {
  text = trim(text);
  const std::size_t end = std::min(text.find_first_of(" \t"), text.size());
  const std::string_view word = text.substr(0, end);
  text.remove_prefix(end);
  return word;
}

template <class T>
std::optional<T> to_number(std::string_view text) {
  T value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// `comment "text"` -> text.
std::string unquote_comment(std::string_view line) {
  line.remove_prefix(std::string_view("comment").size());
  line = trim(line);
  if (line.size() >= 2 && line.front() == '"' && line.back() == '"') line = line.substr(1, line.size() - 2);
  return std::string(line);
}

// Splits "... # handle 12" into the text and the handle.
NftRule read_rule(std::string_view line) {
  NftRule rule;
  constexpr std::string_view kHandle = "# handle ";
  if (const std::size_t at = line.rfind(kHandle); at != std::string_view::npos) {
    rule.handle = to_number<std::uint64_t>(trim(line.substr(at + kHandle.size()))).value_or(0);
    line = trim(line.substr(0, at));
  }
  rule.text = std::string(line);
  return rule;
}

// "type filter hook input priority filter; policy drop;"
void read_chain_type(std::string_view line, NftChain& chain) {
  std::string_view rest = line;
  while (!rest.empty()) {
    const std::string_view word = next_word(rest);
    if (word.empty()) break;
    if (word == "hook") chain.hook = std::string(next_word(rest));
    if (word == "policy") {
      std::string_view policy = next_word(rest);
      if (!policy.empty() && policy.back() == ';') policy.remove_suffix(1);
      chain.policy = std::string(policy);
    }
  }
}

std::optional<std::uint8_t> read_protocol(std::string_view text) {
  if (text == "tcp") return 6;
  if (text == "udp") return 17;
  return to_number<std::uint8_t>(text);
}

std::optional<NftElement> read_element(std::string_view text) {
  std::string_view rest = text;
  const auto address = config::IpAddress::parse(next_word(rest));
  if (!address || next_word(rest) != ".") return std::nullopt;
  const auto protocol = read_protocol(next_word(rest));
  if (!protocol || next_word(rest) != ".") return std::nullopt;
  const auto port = to_number<std::uint16_t>(next_word(rest));
  if (!port) return std::nullopt;
  NftElement element{*address, *protocol, *port, std::nullopt};
  while (!rest.empty()) {
    const std::string_view word = next_word(rest);
    if (word.empty()) break;
    if (word == "expires") element.expires_ms = parse_nft_duration_ms(next_word(rest));
  }
  return element;
}

}  // namespace

const NftChain* NftTable::find_chain(std::string_view chain) const {
  const auto found = std::find_if(chains.begin(), chains.end(), [&](const NftChain& c) { return c.name == chain; });
  return found == chains.end() ? nullptr : &*found;
}

bool NftTable::has_set(std::string_view set) const {
  return std::find(sets.begin(), sets.end(), set) != sets.end();
}

std::vector<NftTable> parse_nft_ruleset(std::string_view text) {
  std::vector<NftTable> tables;
  NftTable* table = nullptr;
  NftChain* chain = nullptr;  // null inside a set, map or other block
  while (!text.empty()) {
    const std::size_t newline = std::min(text.find('\n'), text.size());
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(std::min(newline + 1, text.size()));
    std::size_t depth = 0;
    while (depth < line.size() && line[depth] == '\t') ++depth;
    // A wrapped continuation line starts with spaces after its tabs: it is part of the statement above.
    if (depth < line.size() && line[depth] == ' ') continue;
    line = trim(line);
    if (line.empty()) continue;
    if (depth == 0) {
      chain = nullptr;
      table = nullptr;
      std::string_view rest = line;
      if (next_word(rest) != "table") continue;
      NftTable& added = tables.emplace_back();
      added.family = std::string(next_word(rest));
      added.name = std::string(next_word(rest));
      table = &added;
    } else if (depth == 1 && table) {
      chain = nullptr;
      std::string_view rest = line;
      const std::string_view kind = next_word(rest);
      if (kind == "chain") {
        chain = &table->chains.emplace_back();
        chain->name = std::string(next_word(rest));
      } else if (kind == "set" || kind == "map") {
        table->sets.emplace_back(next_word(rest));
      } else if (kind == "comment") {
        table->comment = unquote_comment(line);
      }
    } else if (depth == 2 && chain) {
      if (line.starts_with("type ") && line.find(" hook ") != std::string_view::npos)
        read_chain_type(line, *chain);
      else if (line.starts_with("comment \""))
        chain->comment = unquote_comment(line);
      else
        chain->rules.push_back(read_rule(line));
    }
  }
  return tables;
}

const NftTable* find_table(const std::vector<NftTable>& tables, std::string_view family, std::string_view name) {
  const auto found = std::find_if(tables.begin(), tables.end(),
                                  [&](const NftTable& t) { return t.family == family && t.name == name; });
  return found == tables.end() ? nullptr : &*found;
}

namespace {

// The items of a listing's "elements = { a, b, ... }", each on one line (long listings wrap, and indent with tabs).
std::vector<std::string> element_items(std::string_view text) {
  std::vector<std::string> items;
  constexpr std::string_view kStart = "elements = {";
  const std::size_t start = text.find(kStart);
  if (start == std::string_view::npos) return items;
  text.remove_prefix(start + kStart.size());
  text = text.substr(0, std::min(text.find('}'), text.size()));
  while (!text.empty()) {
    const std::size_t comma = std::min(text.find(','), text.size());
    std::string item(text.substr(0, comma));
    text.remove_prefix(std::min(comma + 1, text.size()));
    std::replace_if(
        item.begin(), item.end(), [](char c) { return c == '\n' || c == '\t'; }, ' ');
    items.push_back(std::move(item));
  }
  return items;
}

}  // namespace

std::vector<NftElement> parse_nft_elements(std::string_view text) {
  std::vector<NftElement> elements;
  for (const std::string& item : element_items(text))
    if (auto element = read_element(item)) elements.push_back(*element);
  return elements;
}

std::vector<NftTextElement> parse_nft_text_elements(std::string_view text) {
  std::vector<NftTextElement> elements;
  for (const std::string& item : element_items(text)) {
    std::string_view rest = item;
    NftTextElement element;
    std::string* into = &element.key;  // the key until ":", then the data
    while (true) {
      const std::string_view word = next_word(rest);
      if (word.empty()) break;
      if (word == "timeout") {
        next_word(rest);
      } else if (word == "expires") {
        element.expires_ms = parse_nft_duration_ms(next_word(rest));
      } else if (word == ":") {
        into = &element.value;
      } else {
        if (!into->empty()) *into += ' ';
        *into += word;
      }
    }
    if (!element.key.empty()) elements.push_back(std::move(element));
  }
  return elements;
}

std::optional<std::int64_t> parse_nft_duration_ms(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::int64_t total = 0;
  while (!text.empty()) {
    std::size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
    const auto number = to_number<std::int64_t>(text.substr(0, digits));
    if (!number || *number > (std::int64_t{1} << 40)) return std::nullopt;
    text.remove_prefix(digits);
    std::size_t unit_size = 0;
    while (unit_size < text.size() && text[unit_size] >= 'a' && text[unit_size] <= 'z') ++unit_size;
    const std::string_view unit = text.substr(0, unit_size);
    text.remove_prefix(unit_size);
    std::int64_t scale = 0;
    if (unit == "ms") scale = 1;
    if (unit == "s") scale = 1000;
    if (unit == "m") scale = 60 * 1000;
    if (unit == "h") scale = 3600 * 1000;
    if (unit == "d") scale = 24 * 3600 * 1000;
    if (scale == 0) return std::nullopt;
    total += *number * scale;
  }
  return total;
}

}  // namespace sesame::server::firewall
