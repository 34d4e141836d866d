"""Driver of Benchmarks/wet.sh: writes a WET file with warcio from the shared WARC samples (one
`conversion` record per HTML or plain-text 2xx response: its body's text with the tags taken
out, WARC-Refers-To naming the response), then compares the documents Hatchery ingested from it
(read back as JSON lines) with the conversion records: same count, same text after Hatchery's
stated normalisation (NFC, CRLF and CR to LF), same target URI, date and refers-to.

  write WARC... OUT.warc.wet.gz      compare OUT.warc.wet.gz DOCUMENTS.jsonl
"""
import gzip, io, json, re, sys, unicodedata

from warcio.archiveiterator import ArchiveIterator
from warcio.warcwriter import WARCWriter
from warcio.statusandheaders import StatusAndHeaders


def text_of(body, content_type):
    text = body.decode("utf-8", errors="replace")
    if "html" in content_type:
        text = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", text)
        text = re.sub(r"(?s)<[^>]+>", " ", text)
        text = re.sub(r"[ \t]+", " ", text)
        text = "\n".join(line.strip() for line in text.splitlines() if line.strip())
    return text


def write(inputs, out):
    count = 0
    with open(out, "wb") as f:
        writer = WARCWriter(f, gzip=True)
        for path in inputs:
            with open(path, "rb") as stream:
                try:
                    for record in ArchiveIterator(stream):
                        if record.rec_type != "response" or not record.http_headers:
                            continue
                        status = record.http_headers.get_statuscode()
                        content_type = (record.http_headers.get_header("Content-Type") or "").lower()
                        if not status.startswith("2") or not ("html" in content_type or "text/plain" in content_type):
                            continue
                        text = text_of(record.content_stream().read(), content_type)
                        if not text.strip():
                            continue
                        headers = [("WARC-Refers-To", record.rec_headers.get_header("WARC-Record-ID")),
                                   ("WARC-Identified-Content-Language", "eng"), ("Content-Type", "text/plain")]
                        conversion = writer.create_warc_record(
                            record.rec_headers.get_header("WARC-Target-URI"), "conversion", payload=io.BytesIO(text.encode("utf-8")),
                            warc_content_type="text/plain", warc_headers_dict={k: v for k, v in headers})
                        conversion.rec_headers.replace_header("WARC-Date", record.rec_headers.get_header("WARC-Date"))
                        writer.write_record(conversion)
                        count += 1
                except Exception as error:  # a truncated sample ends its records
                    print(f"{path}: stopped reading: {error}", file=sys.stderr)
    print(f"wrote {count} conversion records to {out}")


def normalised(text):
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def compare(wet, documents):
    records = []
    with open(wet, "rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type == "conversion":
                records.append((record.rec_headers.get_header("WARC-Target-URI"), record.rec_headers.get_header("WARC-Date"),
                                record.rec_headers.get_header("WARC-Refers-To"), record.content_stream().read().decode("utf-8")))
    docs = [json.loads(line) for line in open(documents)]
    same = sum(1 for (uri, date, refers, text), doc in zip(records, docs)
               if doc["text"] == normalised(text) and doc["metadata"].get("url") == uri and doc["created"] == date
               and doc["metadata"].get("warc_refers_to") == refers)
    print(f"conversion records: {len(records)}; documents: {len(docs)}; equal in text, URI, date and refers-to: {same}")
    return 0 if same == len(records) == len(docs) else 1


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(sys.argv[2:-1], sys.argv[-1])
    else:
        sys.exit(compare(sys.argv[2], sys.argv[3]))
