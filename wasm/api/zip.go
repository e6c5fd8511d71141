package api

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"sort"
	"time"
)

// zipEntry is one file of a response zip.
type zipEntry struct {
	name string
	data []byte
}

// zipTime is every entry's timestamp, so equal contents give equal zips.
var zipTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// deterministicZip writes entries sorted by name, deflated, with fixed
// timestamps and no other varying metadata.
func deterministicZip(entries []zipEntry) ([]byte, error) {
	sort.Slice(entries, func(i, j int) bool { return entries[i].name < entries[j].name })
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: zipTime})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(e.data); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// indentJSON is v as indented JSON with a trailing newline (the form of
// the job's own JSON outputs).
func indentJSON(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	return append(b, '\n'), err
}
