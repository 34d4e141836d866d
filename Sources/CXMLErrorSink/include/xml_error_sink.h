#ifndef HATCHERY_XML_ERROR_SINK_H
#define HATCHERY_XML_ERROR_SINK_H

/// libxml2 prints some errors (encoding conversion, I/O) through its generic error function
/// to standard error, even with XML_PARSE_NOERROR. These route this thread's generic errors
/// into a buffer instead, keeping the first message, for the reject to name.

/// Starts capturing on this thread and forgets the message captured before.
void hatchery_xml_capture_generic_errors(void);

/// The first message since the capture began ("" if none).
const char *hatchery_xml_captured_generic_error(void);

#endif
