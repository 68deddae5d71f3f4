"""The advisor's voice: text → audio + a viseme timeline, online (edge-tts) or offline (espeak-ng), cached."""

from vbranch.avatars.voice.backend import TtsBackend, TtsUnavailable, Utterance
from vbranch.avatars.voice.bench import bench_voice
from vbranch.avatars.voice.cache import VoiceCache
from vbranch.avatars.voice.edge import EdgeBackend, edge_reachable
from vbranch.avatars.voice.espeak import EspeakBackend
from vbranch.avatars.voice.service import ELDER_RATE_PCT, VOICES, Voice
from vbranch.avatars.voice.visemes import SHAPES, boundary_timeline, timeline_from_json, timeline_to_json

__all__ = ["TtsBackend", "TtsUnavailable", "Utterance", "VoiceCache", "EdgeBackend", "EspeakBackend", "Voice",
           "VOICES", "ELDER_RATE_PCT", "SHAPES", "boundary_timeline", "timeline_to_json", "timeline_from_json",
           "edge_reachable", "bench_voice"]
