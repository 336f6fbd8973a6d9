/*
 * Rtmv2.h — the header's name as Windows code spells it (the SDK's file is
 * RtmV2.h, Microsoft's samples include "Rtmv2.h"); on a case-sensitive file
 * system both lead here.  Everything is in <rtmv2.h>.
 */
#include <rtmv2.h>
