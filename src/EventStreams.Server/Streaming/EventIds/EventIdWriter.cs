using System.Buffers;
using System.Runtime.InteropServices;

namespace EventStreams.Server.Streaming.EventIds;

/// <summary>
/// Renders one client's event id (an element per assigned partition) and keeps it up to date by patching only the
/// elements whose position moved. Not thread-safe: one transport loop drives it.
/// </summary>
internal sealed class EventIdWriter(PartitionPosition[] positions, IdFormat format)
{
    private ArrayBufferWriter<byte>? _id;
    private ArrayBufferWriter<byte>? _patch;
    private Element[]? _elements;

    /// <summary>Writes the id that resumes every assigned partition after what has been delivered.</summary>
    public void Write(IBufferWriter<byte> writer)
    {
        // Each event moves one partition, so the last id is patched where that element changed. With many partitions,
        // formatting every element per event used to cost more than the event itself (64 elements ≈ 3.5 KB).
        if (_id is null || !TryPatch(_id))
        {
            Render();
        }

        writer.Write(_id!.WrittenSpan);
    }

    private bool TryPatch(ArrayBufferWriter<byte> id)
    {
        var rendered = MemoryMarshal.AsMemory(id.WrittenMemory).Span;
        for (var i = 0; i < _elements!.Length; i++)
        {
            ref var element = ref _elements[i];
            var position = positions[i];
            if (element.Stable && element.Version == position.Version)
            {
                continue;
            }

            var patch = _patch ??= new ArrayBufferWriter<byte>(64);
            patch.ResetWrittenCount();
            element.Stable = EventIdElement.Write(patch, position, format);
            element.Version = position.Version;
            if (patch.WrittenCount != element.Length)
            {
                return false; // the element grew or shrank (a number gained a digit): render it all again
            }

            patch.WrittenSpan.CopyTo(rendered[element.Start..]);
        }

        return true;
    }

    private void Render()
    {
        // Allocated on first use: an idle client never writes an id.
        var id = _id ??= new ArrayBufferWriter<byte>(64 * positions.Length);
        _elements ??= new Element[positions.Length];
        id.ResetWrittenCount();
        id.Write("["u8);
        for (var i = 0; i < positions.Length; i++)
        {
            if (i > 0)
            {
                id.Write(","u8);
            }

            var start = id.WrittenCount;
            var stable = EventIdElement.Write(id, positions[i], format);
            _elements[i] = new Element { Start = start, Length = id.WrittenCount - start, Version = positions[i].Version, Stable = stable };
        }

        id.Write("]"u8);
    }

    /// <summary>Where one partition's element sits in the rendered id, and what it was rendered from.</summary>
    private struct Element
    {
        public int Start;
        public int Length;
        public int Version;
        public bool Stable;
    }
}
