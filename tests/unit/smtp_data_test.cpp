// tests/unit/smtp_data_test.cpp - lib/mail/smtp_data: DATA end detection, dot-unstuffing,
// smuggling variants in every chunking, bare LF/CR policy, size and line limits, BDAT chunks
#include "lib/mail/smtp_data.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace tern;

namespace {

struct Decoded {
    DataVerdict verdict = DataVerdict::NeedMore;
    std::size_t consumed = 0;  // total bytes consumed
    std::string content;
    DataProblem problem = DataProblem::None;
};

// Feeds `input` in pieces of the given sizes (cycled); stops at End/Error.
Decoded decode(std::string_view input, const std::vector<std::size_t>& sizes = {}, DataLimits limits = {}) {
    DataDecoder decoder(limits);
    Decoded result;
    std::size_t chunk = 0;
    while (result.consumed < input.size()) {
        const std::size_t size = sizes.empty() ? input.size() : sizes[chunk++ % sizes.size()];
        const std::string_view piece = input.substr(result.consumed, size);
        const DataFeed fed = decoder.feed(piece, result.content);
        REQUIRE(fed.consumed <= piece.size());
        result.consumed += fed.consumed;
        result.verdict = fed.verdict;
        if (fed.verdict != DataVerdict::NeedMore) break;
        REQUIRE(fed.consumed == piece.size());
    }
    result.problem = decoder.problem();
    return result;
}

// Every split of `input` into two pieces, and byte by byte.
std::vector<Decoded> decode_all_chunkings(std::string_view input, DataLimits limits = {}) {
    std::vector<Decoded> results;
    results.push_back(decode(input, {}, limits));
    results.push_back(decode(input, {1}, limits));
    results.push_back(decode(input, {2, 3}, limits));
    for (std::size_t split = 1; split < input.size(); ++split)
        results.push_back(decode(input, {split, input.size()}, limits));
    return results;
}

}  // namespace

TEST_CASE("DATA ends only at CRLF.CRLF", "[smtp_data]") {
    SECTION("empty message: the first line is the end") {
        const Decoded d = decode(".\r\n");
        CHECK(d.verdict == DataVerdict::End);
        CHECK(d.consumed == 3);
        CHECK(d.content.empty());
    }
    SECTION("one line") {
        const Decoded d = decode("Subject: x\r\n\r\nbody\r\n.\r\nQUIT\r\n");
        CHECK(d.verdict == DataVerdict::End);
        CHECK(d.content == "Subject: x\r\n\r\nbody\r\n");
        CHECK(d.consumed == std::string_view("Subject: x\r\n\r\nbody\r\n.\r\n").size());
    }
    SECTION("no end yet") {
        const Decoded d = decode("body\r\n.");
        CHECK(d.verdict == DataVerdict::NeedMore);
        CHECK(d.consumed == 7);
        CHECK(d.content == "body\r\n");
    }
    SECTION("empty input") {
        const Decoded d = decode("");
        CHECK(d.verdict == DataVerdict::NeedMore);
        CHECK(d.consumed == 0);
    }
    SECTION("after the end the decoder takes nothing more") {
        DataDecoder decoder;
        std::string out;
        CHECK(decoder.feed(".\r\n", out).verdict == DataVerdict::End);
        const DataFeed again = decoder.feed("x\r\n.\r\n", out);
        CHECK(again.consumed == 0);
        CHECK(again.verdict == DataVerdict::End);
        CHECK(decoder.finished());
    }
}

TEST_CASE("CRLF.CRLF split at every byte position ends at the same place", "[smtp_data]") {
    const std::string input = "a\r\n..b\r\n.\r\nMAIL FROM:<x@y>\r\n";
    const std::size_t end = std::string_view("a\r\n..b\r\n.\r\n").size();
    for (const Decoded& d : decode_all_chunkings(input)) {
        CHECK(d.verdict == DataVerdict::End);
        CHECK(d.consumed == end);
        CHECK(d.content == "a\r\n.b\r\n");
    }
}

TEST_CASE("smuggling end markers never end DATA", "[smtp_data]") {
    const char* const kFakeEnds[] = {"\n.\n", "\r.\r", "\n.\r\n", "\r\n.\n", "\r\n.\r", "\r.\r\n", "\n.\r",
                                     "\r\n.\r\r\n", "\r\n. \r\n", "\r\n.\r \n", "\r\r\n.\n"};
    for (const char* fake : kFakeEnds) {
        INFO("fake end: " << Catch::Detail::stringify(std::string(fake)));
        const std::string input = std::string("x") + fake + "MAIL FROM:<evil@x>\r\nRCPT TO:<v@y>\r\n";
        for (const Decoded& d : decode_all_chunkings(input)) {
            CHECK(d.verdict == DataVerdict::NeedMore);
            CHECK(d.consumed == input.size());
        }
        // The same bytes at the very start of DATA.
        for (const Decoded& d : decode_all_chunkings(std::string(fake) + "x\r\n")) {
            CHECK(d.verdict == DataVerdict::NeedMore);
        }
    }
}

TEST_CASE("a real end after a fake one still ends, and the message is rejected", "[smtp_data]") {
    const std::string input = "x\n.\nMAIL FROM:<evil@x>\r\n.\r\nNOOP\r\n";
    const std::size_t end = input.size() - 6;
    for (const Decoded& d : decode_all_chunkings(input)) {
        CHECK(d.verdict == DataVerdict::Error);
        CHECK(d.problem == DataProblem::BareNewline);
        CHECK(d.consumed == end);
    }
    // A bare LF directly before ".\r\n" does not make it an end; the next one does.
    const Decoded d = decode("x\n.\r\n.\r\n");
    CHECK(d.verdict == DataVerdict::Error);
    CHECK(d.consumed == 8);
}

TEST_CASE("dot-unstuffing", "[smtp_data]") {
    CHECK(decode("..x\r\n.\r\n").content == ".x\r\n");
    CHECK(decode("..\r\n.\r\n").content == ".\r\n");
    CHECK(decode("...\r\n.\r\n").content == "..\r\n");
    CHECK(decode(".x\r\n.\r\n").content == "x\r\n");  // RFC 5321 4.5.2: the first dot goes
    CHECK(decode("a.\r\n.\r\n").content == "a.\r\n");
    CHECK(decode("a\r\n.. \r\n.\r\n").content == "a\r\n. \r\n");
    CHECK(decode("\r\n\r\n.\r\n").content == "\r\n\r\n");
}

TEST_CASE("bare LF and lone CR under Reject", "[smtp_data]") {
    for (const char* input : {"a\nb\r\n.\r\n", "a\rb\r\n.\r\n", "\n.\r\n.\r\n", "a\r\n.\rx\r\n.\r\n", "a\r\r\n.\r\n"}) {
        INFO(Catch::Detail::stringify(std::string(input)));
        const Decoded d = decode(input);
        CHECK(d.verdict == DataVerdict::Error);
        CHECK(d.problem == DataProblem::BareNewline);
        CHECK(d.consumed == std::string_view(input).size());
    }
    SECTION("nothing is emitted after the bare LF") {
        const Decoded d = decode("good\r\nbad\nmore\r\n.\r\n");
        CHECK(d.content == "good\r\nbad");
    }
    SECTION("the reply") {
        CHECK(data_error_reply(DataProblem::BareNewline, 550, "mx.example") ==
              "550 5.5.2 mx.example Error: bare <LF> received");
        CHECK(data_error_reply(DataProblem::TooBig, 550, "mx") == "552 5.3.4 Message size exceeds fixed limit");
        CHECK(data_error_reply(DataProblem::None, 550, "mx").empty());
    }
}

TEST_CASE("bare LF under Normalize", "[smtp_data]") {
    const DataLimits limits{.bare_newline = BareNewline::Normalize};
    Decoded d = decode("a\nb\r\n.\r\n", {}, limits);
    CHECK(d.verdict == DataVerdict::End);
    CHECK(d.content == "a\r\nb\r\n");
    d = decode("a\rb\r\n.\r\n", {}, limits);  // a lone CR is data
    CHECK(d.content == "a\rb\r\n");
    d = decode("a\n.\nb\r\n.\r\n", {}, limits);  // LF.LF is an (unstuffed) empty line, not the end
    CHECK(d.verdict == DataVerdict::End);
    CHECK(d.content == "a\r\n\r\nb\r\n");
    d = decode("a\n.\r\n.\r\n", {}, limits);
    CHECK(d.verdict == DataVerdict::End);
    CHECK(d.content == "a\r\n\r\n");
    d = decode("a\n..x\r\n.\r\n", {}, limits);
    CHECK(d.content == "a\r\n.x\r\n");
}

TEST_CASE("NUL and 8-bit bytes are content", "[smtp_data]") {
    const std::string input("a\0b\xff\xc3\xa9\r\n.\r\n", 11);
    const Decoded d = decode(input);
    CHECK(d.verdict == DataVerdict::End);
    CHECK(d.content == std::string("a\0b\xff\xc3\xa9\r\n", 8));
}

TEST_CASE("message size limit", "[smtp_data]") {
    const DataLimits limits{.max_message_bytes = 10};
    SECTION("exactly at the limit") {
        const Decoded d = decode("12345678\r\n.\r\n", {1}, limits);
        CHECK(d.verdict == DataVerdict::End);
        CHECK(d.content == "12345678\r\n");
    }
    SECTION("one past") {
        for (const Decoded& d : decode_all_chunkings("123456789\r\n.\r\nQUIT\r\n", limits)) {
            CHECK(d.verdict == DataVerdict::Error);
            CHECK(d.problem == DataProblem::TooBig);
            CHECK(d.consumed == 14);
            CHECK(d.content.size() <= 10);
        }
    }
    SECTION("zero means no limit") {
        const Decoded d = decode(std::string(100000, 'x') + "\r\n.\r\n", {}, {.max_message_bytes = 0});
        CHECK(d.verdict == DataVerdict::End);
        CHECK(d.content.size() == 100002);
    }
}

TEST_CASE("long lines are counted, not cut", "[smtp_data]") {
    const DataLimits limits{.max_line_bytes = 4};
    DataDecoder decoder(limits);
    std::string out;
    CHECK(decoder.feed("1234\r\n12345\r\n.2345\r\n123456789\r\n.\r\n", out).verdict == DataVerdict::End);
    CHECK(decoder.long_lines() == 3);
    CHECK(out == "1234\r\n12345\r\n2345\r\n123456789\r\n");
    DataDecoder bytewise(limits);
    std::string out2;
    for (char c : std::string("12345\r\n1234\r\n.\r\n")) (void)bytewise.feed(std::string_view(&c, 1), out2);
    CHECK(bytewise.long_lines() == 1);
}

TEST_CASE("BDAT chunks are counted exactly", "[smtp_data]") {
    ChunkDecoder chunks({.max_message_bytes = 20});
    std::string out;
    REQUIRE(chunks.begin_chunk(5, false));
    ChunkFeed fed = chunks.feed("ab\r\n.\r\nBDAT", out);  // takes 5 bytes, no dot handling
    CHECK(fed.consumed == 5);
    CHECK(fed.verdict == ChunkVerdict::ChunkDone);
    CHECK(out == "ab\r\n.");
    REQUIRE(chunks.begin_chunk(4, true));
    fed = chunks.feed("\r", out);  // CR at a piece boundary, LF in the next: no bare CR
    CHECK(fed.verdict == ChunkVerdict::NeedMore);
    CHECK(chunks.remaining() == 3);
    fed = chunks.feed("\nxyzQUIT", out);
    CHECK(fed.consumed == 3);
    CHECK(fed.verdict == ChunkVerdict::MessageDone);
    CHECK(out == "ab\r\n.\r\nxy");
    CHECK(chunks.problem() == DataProblem::None);
    CHECK(chunks.content_bytes() == 9);
}

TEST_CASE("BDAT: empty last chunk, limits, bare newlines across chunks", "[smtp_data]") {
    std::string out;
    SECTION("BDAT 0 LAST") {
        ChunkDecoder chunks;
        REQUIRE(chunks.begin_chunk(0, true));
        CHECK(chunks.feed("", out).verdict == ChunkVerdict::MessageDone);
    }
    SECTION("exactly at the limit, then one past") {
        ChunkDecoder chunks({.max_message_bytes = 4});
        CHECK(chunks.begin_chunk(4, false));
        CHECK(chunks.feed("abcd", out).verdict == ChunkVerdict::ChunkDone);
        CHECK_FALSE(chunks.begin_chunk(1, true));
        const ChunkFeed fed = chunks.feed("eQUIT", out);
        CHECK(fed.consumed == 1);
        CHECK(fed.verdict == ChunkVerdict::MessageDone);
        CHECK(chunks.problem() == DataProblem::TooBig);
        CHECK(out == "abcd");
    }
    SECTION("a huge size does not overflow") {
        ChunkDecoder chunks({.max_message_bytes = 4});
        CHECK_FALSE(chunks.begin_chunk(UINT64_MAX, true));
    }
    SECTION("CR at the end of one chunk, LF at the start of the next") {
        ChunkDecoder chunks;
        REQUIRE(chunks.begin_chunk(2, false));
        (void)chunks.feed("a\r", out);
        REQUIRE(chunks.begin_chunk(2, true));
        (void)chunks.feed("\nb", out);
        CHECK(chunks.problem() == DataProblem::None);
    }
    SECTION("bare LF, lone CR, trailing CR") {
        for (const char* content : {"a\nb", "a\rb", "ab\r", "\n"}) {
            ChunkDecoder chunks;
            REQUIRE(chunks.begin_chunk(std::string_view(content).size(), true));
            CHECK(chunks.feed(content, out).verdict == ChunkVerdict::MessageDone);
            CHECK(chunks.problem() == DataProblem::BareNewline);
        }
    }
    SECTION("Normalize (BINARYMIME) lets them through") {
        ChunkDecoder chunks({.bare_newline = BareNewline::Normalize});
        REQUIRE(chunks.begin_chunk(3, true));
        (void)chunks.feed("a\nb", out);
        CHECK(chunks.problem() == DataProblem::None);
        CHECK(out == "a\nb");
    }
}
