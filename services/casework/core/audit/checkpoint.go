package audit

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// CheckpointFormat names version 1 of the checkpoint format.
const CheckpointFormat = "tradewarden-audit-checkpoint-v1"

// Checkpoint is a signed statement of the chain's head at one moment. Kept
// outside the database (escrow: a ticket, an email, another organisation),
// it lets a later verification prove the log still extends it: a log
// truncated below the checkpoint, or rewritten at or before it, fails.
type Checkpoint struct {
	Format string `json:"format"`
	// Seq and Hash are the head entry's sequence number and hash.
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
	// KeyedFrom is the first keyed entry (0 when the chain is not keyed).
	KeyedFrom int64     `json:"keyed_from"`
	TakenAt   time.Time `json:"taken_at"`
	KeyID     string    `json:"key_id"`
	// PublicKey (base64) checks Signature (base64, ed25519 over SignedBytes).
	PublicKey string `json:"public_key"`
	Signature string `json:"signature"`
}

// NewCheckpoint signs the head seq/hash of a chain keyed from keyedFrom.
func (k *Key) NewCheckpoint(seq int64, hash string, keyedFrom int64, at time.Time) Checkpoint {
	c := Checkpoint{Format: CheckpointFormat, Seq: seq, Hash: hash, KeyedFrom: keyedFrom,
		TakenAt: at.UTC().Truncate(time.Second), KeyID: k.ID(), PublicKey: base64.StdEncoding.EncodeToString(k.PublicKey())}
	c.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(k.sign, c.SignedBytes()))
	return c
}

// SignedBytes is the message the signature covers: every field but the
// signature, one per line, in a fixed order.
func (c Checkpoint) SignedBytes() []byte {
	var b bytes.Buffer
	for _, line := range []string{c.Format, strconv.FormatInt(c.Seq, 10), c.Hash, strconv.FormatInt(c.KeyedFrom, 10),
		c.TakenAt.UTC().Format(time.RFC3339), c.KeyID, c.PublicKey} {
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// CheckSignature verifies the checkpoint against the public key it carries
// and that the key id names that key. Whether that key is the right one is
// the caller's question (Verify compares it with the loaded key).
func (c Checkpoint) CheckSignature() error {
	if c.Format != CheckpointFormat {
		return fmt.Errorf("unknown checkpoint format %q", c.Format)
	}
	pub, err := base64.StdEncoding.DecodeString(c.PublicKey)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return errors.New("the checkpoint's public key is malformed")
	}
	if KeyID(pub) != c.KeyID {
		return errors.New("the checkpoint's key id does not name its public key")
	}
	sig, err := base64.StdEncoding.DecodeString(c.Signature)
	if err != nil || !ed25519.Verify(pub, c.SignedBytes(), sig) {
		return errors.New("the checkpoint's signature is not valid: it was altered or not signed by this key")
	}
	return nil
}

// Text renders the checkpoint on one line, for pasting into a ticket or email.
func (c Checkpoint) Text() string {
	return fmt.Sprintf("%s seq=%d hash=%s keyed_from=%d taken_at=%s key_id=%s public_key=%s signature=%s",
		c.Format, c.Seq, c.Hash, c.KeyedFrom, c.TakenAt.UTC().Format(time.RFC3339), c.KeyID, c.PublicKey, c.Signature)
}

// ParseCheckpoint reads a checkpoint in its JSON or one-line text form. It
// does not check the signature.
func ParseCheckpoint(b []byte) (Checkpoint, error) {
	b = bytes.TrimSpace(b)
	var c Checkpoint
	if bytes.HasPrefix(b, []byte("{")) {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			return Checkpoint{}, fmt.Errorf("read checkpoint JSON: %w", err)
		}
		return c, nil
	}
	fields := strings.Fields(string(b))
	if len(fields) != 8 || fields[0] != CheckpointFormat {
		return Checkpoint{}, fmt.Errorf("not a checkpoint: expected JSON or a line starting %q with 7 key=value fields", CheckpointFormat)
	}
	c.Format = fields[0]
	vals := map[string]string{}
	for _, f := range fields[1:] {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return Checkpoint{}, fmt.Errorf("checkpoint field %q is not key=value", f)
		}
		vals[k] = v
	}
	var err error
	if c.Seq, err = strconv.ParseInt(vals["seq"], 10, 64); err != nil {
		return Checkpoint{}, errors.New("checkpoint seq is not a number")
	}
	if c.KeyedFrom, err = strconv.ParseInt(vals["keyed_from"], 10, 64); err != nil {
		return Checkpoint{}, errors.New("checkpoint keyed_from is not a number")
	}
	if c.TakenAt, err = time.Parse(time.RFC3339, vals["taken_at"]); err != nil {
		return Checkpoint{}, errors.New("checkpoint taken_at is not an RFC 3339 time")
	}
	c.Hash, c.KeyID, c.PublicKey, c.Signature = vals["hash"], vals["key_id"], vals["public_key"], vals["signature"]
	return c, nil
}
