package places

import (
	"math"
	"sort"
)

// EarthRadiusKm is the mean Earth radius used by Distance.
const EarthRadiusKm = 6371.0088

// Distance returns the great-circle distance in kilometres between two
// WGS84 points (haversine formula).
func Distance(lat1, lon1, lat2, lon2 float64) float64 {
	rad := math.Pi / 180
	dLat := (lat2 - lat1) * rad
	dLon := (lon2 - lon1) * rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * EarthRadiusKm * math.Asin(math.Min(1, math.Sqrt(a)))
}

// Box is a latitude/longitude rectangle that holds every point within a
// radius of a centre: the prefilter of a nearest query on indexed columns.
type Box struct{ MinLat, MaxLat, MinLon, MaxLon float64 }

// BoxAround returns the box around (lat, lon) holding every point at most
// km kilometres away. Near the poles it spans every longitude.
func BoxAround(lat, lon, km float64) Box {
	dLat := km / EarthRadiusKm * 180 / math.Pi
	b := Box{MinLat: math.Max(-90, lat-dLat), MaxLat: math.Min(90, lat+dLat), MinLon: -180, MaxLon: 180}
	if c := math.Cos(math.Max(math.Abs(b.MinLat), math.Abs(b.MaxLat)) * math.Pi / 180); c > 1e-6 {
		dLon := dLat / c
		if dLon < 180 {
			b.MinLon, b.MaxLon = lon-dLon, lon+dLon // may cross ±180: callers split it
		}
	}
	return b
}

// Ranked is a place and its distance from the query's point.
type Ranked struct {
	Place *Place
	Km    float64
}

// Rank sorts the places with coordinates by distance from (lat, lon),
// nearest first (equal distances by id), keeps those within maxKm (0: any)
// and at most limit of them (0: all).
func Rank(list []*Place, lat, lon, maxKm float64, limit int) []Ranked {
	var out []Ranked
	for _, p := range list {
		if !p.HasCoordinates() {
			continue
		}
		d := Distance(lat, lon, *p.Latitude, *p.Longitude)
		if maxKm > 0 && d > maxKm {
			continue
		}
		out = append(out, Ranked{p, d})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Km != out[j].Km {
			return out[i].Km < out[j].Km
		}
		return out[i].Place.ID < out[j].Place.ID
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}
