package http

import (
	"time"

	"agora/domain/session"
	"agora/ports/social"
)

// postDTO is the contract's Post.
type postDTO struct {
	ID         string     `json:"id"`
	Author     summaryDTO `json:"author"`
	Body       string     `json:"body"`
	Visibility string     `json:"visibility"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

func toPostDTO(v social.PostView) postDTO {
	return postDTO{
		ID: v.ID.String(), Author: toSummaryDTO(v.Author), Body: v.Body, Visibility: string(v.Visibility),
		CreatedAt: v.CreatedAt.UTC(), UpdatedAt: v.UpdatedAt.UTC(),
	}
}

// profileDTO is the contract's Profile.
type profileDTO struct {
	ID                     string    `json:"id"`
	Username               string    `json:"username"`
	DisplayName            string    `json:"display_name"`
	Headline               string    `json:"headline"`
	Bio                    string    `json:"bio"`
	CreatedAt              time.Time `json:"created_at"`
	ConnectionsCount       int       `json:"connections_count"`
	MutualConnectionsCount int       `json:"mutual_connections_count"`
	Connection             string    `json:"connection"`
}

func toProfileDTO(p social.Profile) profileDTO {
	return profileDTO{
		ID: p.User.ID.String(), Username: string(p.User.Username), DisplayName: p.User.DisplayName,
		Headline: p.Headline, Bio: p.Bio, CreatedAt: p.CreatedAt.UTC(),
		ConnectionsCount: p.ConnectionsCount, MutualConnectionsCount: p.MutualConnectionsCount,
		Connection: string(p.Relation),
	}
}

// connectionRequestDTO is the contract's ConnectionRequest.
type connectionRequestDTO struct {
	ID          string     `json:"id"`
	From        summaryDTO `json:"from"`
	To          summaryDTO `json:"to"`
	Message     string     `json:"message"`
	Status      string     `json:"status"`
	CreatedAt   time.Time  `json:"created_at"`
	RespondedAt *time.Time `json:"responded_at"`
}

func toConnectionRequestDTO(v social.RequestView) connectionRequestDTO {
	return connectionRequestDTO{
		ID: v.ID.String(), From: toSummaryDTO(v.From), To: toSummaryDTO(v.To), Message: v.Message,
		Status: string(v.Status), CreatedAt: v.CreatedAt.UTC(), RespondedAt: utcPtr(v.RespondedAt),
	}
}

// connectionDTO is the contract's Connection.
type connectionDTO struct {
	User        summaryDTO `json:"user"`
	ConnectedAt time.Time  `json:"connected_at"`
}

func toConnectionDTO(c social.Connection) connectionDTO {
	return connectionDTO{User: toSummaryDTO(c.User), ConnectedAt: c.ConnectedAt.UTC()}
}

// sessionDTO is the contract's Session: a login without any secret.
type sessionDTO struct {
	ID         string     `json:"id"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt time.Time  `json:"last_used_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

func toSessionDTO(s session.Session) sessionDTO {
	return sessionDTO{
		ID: s.ID.String(), CreatedAt: s.CreatedAt.UTC(), LastUsedAt: s.LastUsedAt.UTC(),
		ExpiresAt: s.ExpiresAt.UTC(), RevokedAt: utcPtr(s.RevokedAt),
	}
}

// exportDTO is the contract's Export: the account as GET /users/me shows
// it, then everything of the user's.
type exportDTO struct {
	ExportedAt         time.Time              `json:"exported_at"`
	User               meDTO                  `json:"user"`
	Posts              []postDTO              `json:"posts"`
	ConnectionRequests []connectionRequestDTO `json:"connection_requests"`
	Connections        []connectionDTO        `json:"connections"`
	Blocks             []summaryDTO           `json:"blocks"`
	Sessions           []sessionDTO           `json:"sessions"`
}

func toExportDTO(e social.Export) exportDTO {
	return exportDTO{
		ExportedAt:         e.ExportedAt.UTC(),
		User:               toMeDTO(e.Account),
		Posts:              toDTOs(e.Posts, toPostDTO),
		ConnectionRequests: toDTOs(e.Requests, toConnectionRequestDTO),
		Connections:        toDTOs(e.Connections, toConnectionDTO),
		Blocks:             toDTOs(e.Blocks, toSummaryDTO),
		Sessions:           toDTOs(e.Sessions, toSessionDTO),
	}
}
