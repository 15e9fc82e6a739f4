package access

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strings"
)

// ErrNoKey: the secret-encryption key is missing or malformed.
var ErrNoKey = errors.New("TOTP secret key missing or malformed")

// KeyFromEnv reads the base64 32-byte AES key from the variable env names
// (make one with `openssl rand -base64 32`).
func KeyFromEnv(env string) ([]byte, error) { return KeyFromString(env, os.Getenv(env)) }

// KeyFromString decodes v, the value of the variable env.
func KeyFromString(env, v string) ([]byte, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, fmt.Errorf("%w: set %s to a base64 32-byte key (openssl rand -base64 32)", ErrNoKey, env)
	}
	k, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(k) != 32 {
		return nil, fmt.Errorf("%w: %s must be 32 bytes in base64 (openssl rand -base64 32)", ErrNoKey, env)
	}
	return k, nil
}

// sealer encrypts secrets with AES-256-GCM. The user ID is authenticated
// data, so a sealed secret moved to another user's row does not open.
type sealer struct{ aead cipher.AEAD }

func newSealer(key []byte) (*sealer, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoKey, err)
	}
	a, err := cipher.NewGCM(b)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: a}, nil
}

func (s *sealer) seal(userID string, secret []byte) string {
	nonce := make([]byte, s.aead.NonceSize())
	rand.Read(nonce)
	return base64.StdEncoding.EncodeToString(s.aead.Seal(nonce, nonce, secret, []byte(userID)))
}

func (s *sealer) open(userID, sealed string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil || len(b) < s.aead.NonceSize() {
		return nil, errors.New("stored TOTP secret is corrupt")
	}
	n := s.aead.NonceSize()
	out, err := s.aead.Open(nil, b[:n], b[n:], []byte(userID))
	if err != nil {
		return nil, errors.New("stored TOTP secret does not open with this key (was OPSBOT_SECRET_KEY changed?)")
	}
	return out, nil
}
