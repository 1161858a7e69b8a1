package imports

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"

	"gocloud.dev/gcerrors"

	"github.com/intake/intake"
)

// Pending options are an import whose file comes later (PackageX's async
// upload_mode): its options wait in the bucket under a random token of the
// tenant, and the upload that names the token makes the job.

func pendingKey(tenantID int64, token string) string {
	return fmt.Sprintf("pending/%d/%s", tenantID, token)
}

var tokenPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// Hold keeps an import's options until its file arrives and returns the
// token that names them.
func (s *Service) Hold(ctx context.Context, tenantID int64, options []byte) (string, error) {
	b := make([]byte, 16)
	rand.Read(b)
	token := hex.EncodeToString(b)
	if err := s.Bucket.WriteAll(ctx, pendingKey(tenantID, token), options, nil); err != nil {
		return "", fmt.Errorf("hold import options: %w", err)
	}
	return token, nil
}

// Claim returns the options held under token and forgets them, so one
// upload target makes one job. ENOTFOUND when the tenant holds no such
// token (another tenant's token is not found either).
func (s *Service) Claim(ctx context.Context, tenantID int64, token string) ([]byte, error) {
	notFound := intake.Errorf(intake.ENOTFOUND, "No import is waiting for an upload at this address.")
	if !tokenPattern.MatchString(token) {
		return nil, notFound
	}
	key := pendingKey(tenantID, token)
	b, err := s.Bucket.ReadAll(ctx, key)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return nil, notFound
	}
	if err != nil {
		return nil, fmt.Errorf("read held options: %w", err)
	}
	if err := s.Bucket.Delete(ctx, key); err != nil {
		return nil, fmt.Errorf("claim held options: %w", err)
	}
	return b, nil
}
