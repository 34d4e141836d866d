// Debian builds libxml2 with ICU; its ICU types clash with Foundation's bundled ICU, so the
// ICU part of the headers is switched off before anything else is included.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/HTMLparser.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlmemory.h>

/// `xmlFree` is a global function pointer, which Swift 6 rejects as shared mutable state.
static inline void hatchery_xmlFree(void *pointer) { xmlFree(pointer); }

/// The version of the libxml2 actually loaded (a global variable, or a macro over one).
static inline const char *hatchery_xmlParserVersion(void) { return xmlParserVersion; }

