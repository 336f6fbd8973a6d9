/*
 * fuzz_mrt.c — a libFuzzer target for the MRT reader (mrt/mrt.h): any byte
 * stream goes through record framing and every decoder the import uses;
 * nothing may crash, read outside the input, leak, or loop.  Built and run
 * for a bounded time by `make fuzz-mrt` (clang, -fsanitize=fuzzer,address,
 * undefined); CI runs it.
 */
#include "mrt.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t rib_attrs[MRT_RIB_ATTRS_MAX(65535)];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mrt_in *in;
	if (mrt_in_open_mem(&in, data, size))
		return 0;
	struct mrt_peer_table peers;
	struct mrt_rib rib;
	struct mrt_update u;
	memset(&peers, 0, sizeof(peers));
	memset(&rib, 0, sizeof(rib));
	memset(&u, 0, sizeof(u));
	struct mrt_record rec;
	struct mrt_error err;
	unsigned long routes = 0;
	while (mrt_in_next(in, &rec, &err) == 1) {
		if (rec.type == MRT_TABLE_DUMP_V2 && rec.subtype == MRT_TDV2_PEER_INDEX_TABLE) {
			(void)mrt_decode_peer_index(&rec, &peers, &err);
		} else if (mrt_is_tdv2_rib(&rec)) {
			if (mrt_decode_rib(&rec, &peers, &rib, &err) == 0)
				for (unsigned i = 0; i < rib.n; i++) /* what the import reads */
					routes += rib.entry[i].attrs.path_len + rib.entry[i].attrs.nexthop[0] +
						  peers.peer[rib.entry[i].peer].as;
		} else if (mrt_is_bgp4mp(&rec)) {
			if (mrt_decode_bgp4mp(&rec, &u, &err) == 0 && u.is_update)
				routes += u.announced.n + u.withdrawn.n +
					  mrt_attrs_for_rib(u.attrs.raw, u.attrs.len, u.as4, rib_attrs);
		} else if (rec.type == MRT_TABLE_DUMP) {
			struct mrt_peer peer;
			if (mrt_decode_table_dump(&rec, &rib, &peer, &err) == 0) /* widened as the import does */
				routes += rib.entry[0].attrs.path_len +
					  mrt_attrs_for_rib(rib.entry[0].attrs.raw, rib.entry[0].attrs.len, false, rib_attrs);
		}
	}
	mrt_rib_free(&rib);
	mrt_update_free(&u);
	mrt_peer_table_free(&peers);
	mrt_in_close(in);
	return routes == 0xdeadbeef; /* (keeps the reads) */
}
