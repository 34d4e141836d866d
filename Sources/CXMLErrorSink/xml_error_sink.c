#include "xml_error_sink.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

// libxml2's xmlGenericErrorFunc and setter (libxml/xmlerror.h), declared here so this target
// needs no libxml2 include path; the executable links libxml2 through CLibXML2.
typedef void (*hatchery_generic_error_func)(void *context, const char *format, ...);
extern void xmlSetGenericErrorFunc(void *context, hatchery_generic_error_func handler);

static __thread char message[240];
static __thread int complete;

// libxml2 sends one message in fragments (a prefix, the text, a line end): kept up to the end
// of the first line.
static void sink(void *context, const char *format, ...) {
  (void)context;
  size_t used = strlen(message);
  if (complete || used + 1 >= sizeof message) return;
  va_list arguments;
  va_start(arguments, format);
  vsnprintf(message + used, sizeof message - used, format, arguments);
  va_end(arguments);
  used = strlen(message);
  if (used > 0 && message[used - 1] == '\n') complete = 1;
}

void hatchery_xml_capture_generic_errors(void) {
  message[0] = 0;
  complete = 0;
  xmlSetGenericErrorFunc(NULL, sink);
}

const char *hatchery_xml_captured_generic_error(void) { return message; }
