package audit

import (
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"
)

// SecretSize is the length in bytes of an audit key's secret.
const SecretSize = 32

// keyedDomain separates keyed-chain MAC inputs from every other use of the key.
const keyedDomain = "tradewarden-audit-chain-v2\n"

// Key seals the keyed chain and signs checkpoints. Both keys are derived
// from one secret (HKDF-SHA-256 with distinct labels): the HMAC key and the
// ed25519 signing key protect against the same adversary (someone with the
// database but not the key file), so keeping them apart would add a second
// file to distribute to every node and to escrow without raising the bar for
// anyone; the public half goes out with every checkpoint so a third party
// can check its signature without the secret.
type Key struct {
	mac  []byte
	sign ed25519.PrivateKey
	id   string
}

// NewKey derives the chain and checkpoint keys from secret.
func NewKey(secret []byte) (*Key, error) {
	if len(secret) < SecretSize {
		return nil, fmt.Errorf("audit key: the secret has %d bytes, need at least %d", len(secret), SecretSize)
	}
	mac, err := hkdf.Key(sha256.New, secret, nil, "tradewarden audit chain hmac-sha256 v1", 32)
	if err != nil {
		return nil, fmt.Errorf("derive audit chain key: %w", err)
	}
	seed, err := hkdf.Key(sha256.New, secret, nil, "tradewarden audit checkpoint ed25519 v1", ed25519.SeedSize)
	if err != nil {
		return nil, fmt.Errorf("derive checkpoint key: %w", err)
	}
	sign := ed25519.NewKeyFromSeed(seed)
	return &Key{mac: mac, sign: sign, id: KeyID(sign.Public().(ed25519.PublicKey))}, nil
}

// KeyID names a key by its public half: the first 16 hex digits of the
// SHA-256 of the ed25519 public key. It reveals nothing about the secret.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// ID returns the key's identifier.
func (k *Key) ID() string { return k.id }

// PublicKey returns the checkpoint verification key.
func (k *Key) PublicKey() ed25519.PublicKey { return k.sign.Public().(ed25519.PublicKey) }

// ComputeHash returns the keyed hash of e chained after prevHash.
func (k *Key) ComputeHash(prevHash string, e Entry) string {
	m := hmac.New(sha256.New, k.mac)
	m.Write([]byte(keyedDomain))
	m.Write([]byte(prevHash))
	m.Write([]byte{'\n'})
	m.Write(e.Canonical())
	return hex.EncodeToString(m.Sum(nil))
}

// Seal sets PrevHash and Hash on e, chaining it after prevHash with the keyed chain.
func (k *Key) Seal(prevHash string, e *Entry) {
	e.At = e.At.UTC().Truncate(time.Microsecond)
	e.PrevHash, e.Chain = prevHash, ChainHMAC
	e.Hash = k.ComputeHash(prevHash, *e)
}

// validHash is an equal-time comparison of a stored hash with the expected one.
func validHash(stored, want string) bool { return hmac.Equal([]byte(stored), []byte(want)) }

// ChainStart is the detail of the entry that begins the keyed chain.
type ChainStart struct {
	KeyID     string `json:"key_id"`
	PublicKey string `json:"public_key"`
	// UnkeyedEntries is how many unkeyed entries precede it; UnkeyedHead is
	// the last one's hash, which the keyed entry's prev_hash seals.
	UnkeyedEntries int64  `json:"unkeyed_entries"`
	UnkeyedHead    string `json:"unkeyed_head"`
}
