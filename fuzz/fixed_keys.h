/* The fixed log and witness keys the note and receipt targets check against: made from
 * constant seeds, so that their seed corpora (signed with the same seeds) verify. */
#ifndef POCD_FUZZ_FIXED_KEYS_H
#define POCD_FUZZ_FIXED_KEYS_H

#include <sodium.h>
#include <stdlib.h>

#include "core/note.h"

static void
fixed_keys(struct note_key *log_key, struct note_key *wit_key)
{
	uint8_t seed[32] = {1}, pk[32], sk[64];

	if (sodium_init() < 0)
		abort();
	crypto_sign_seed_keypair(pk, sk, seed);
	note_key_make("fuzz.example/log", NOTE_ED25519, pk, log_key);
	seed[0] = 2;
	crypto_sign_seed_keypair(pk, sk, seed);
	note_key_make("fuzz.example/witness", NOTE_COSIG, pk, wit_key);
}

#endif
