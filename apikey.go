package intake

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"slices"
	"strings"
	"time"
)

// APIKey is a stored API key as an operator sees it: never its secret,
// which is shown once when it is created and kept only as a hash.
type APIKey struct {
	ID         int64      `json:"id"`
	TenantID   int64      `json:"-"`
	TenantSlug string     `json:"tenant"`
	Scopes     []string   `json:"scopes"`
	CreatedAt  time.Time  `json:"created_at"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// NewAPIKey returns a new random API key and the hash it is stored under.
// The key is shown once; only the hash is kept.
func NewAPIKey() (key, hash string) {
	b := make([]byte, 20)
	rand.Read(b) // never fails (crypto/rand panics on failure since Go 1.24)
	key = "ik_" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
	return key, HashAPIKey(key)
}

// HashAPIKey returns the stored form of key. A fast hash is enough: keys
// carry 160 random bits, so there is nothing to brute-force.
func HashAPIKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// ParseScopes splits a comma list of scopes and checks each is known.
func ParseScopes(s string) ([]string, error) {
	var out []string
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(strings.ToLower(p))
		if p == "" {
			continue
		}
		if !slices.Contains(KnownScopes, p) {
			return nil, Errorf(EINVALID, "Unknown scope %q: use %s.", p, strings.Join(KnownScopes, ", "))
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil, Errorf(EINVALID, "A key needs at least one scope (%s).", strings.Join(KnownScopes, ", "))
	}
	return out, nil
}
