package postgres

import (
	"errors"
	"fmt"
	"regexp"

	"github.com/intake/intake"
	"github.com/jackc/pgx/v5/pgconn"
)

// uniqueDetail picks the value out of a unique violation's detail, such as
// `Key (tenant_id, email)=(7, ann@example.com) already exists.`
var uniqueDetail = regexp.MustCompile(`^Key \(tenant_id, [a-z_]+\)=\(\d+, (.*)\) already exists\.$`)

// writeError turns a unique violation (SQLSTATE 23505) into an ECONFLICT
// error naming the field and, when PostgreSQL reports it, the value. A COPY
// or UPDATE … FROM does not say which contact of the batch failed, so unlike
// SQLite the message names the value rather than the contact.
func writeError(op string, err error) error {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "23505" {
		return fmt.Errorf("%s: %w", op, err)
	}
	field := "email or customer number"
	switch pgErr.ConstraintName {
	case "contacts_tenant_email":
		field = "email"
	case "contacts_tenant_customer_number":
		field = "customer number"
	case "contacts_tenant_external_id":
		field = "external id"
	}
	if m := uniqueDetail.FindStringSubmatch(pgErr.Detail); m != nil {
		return intake.Errorf(intake.ECONFLICT, "A contact with %s %q already exists.", field, m[1])
	}
	return intake.Errorf(intake.ECONFLICT, "A contact with this %s already exists.", field)
}
